/* Registers neutralFit and gramBlocks (neutral.h) on the addon's exports. */
#ifndef AUTORESEARCH_NEUTRAL_NAPI_H
#define AUTORESEARCH_NEUTRAL_NAPI_H

#include <node_api.h>

napi_status register_neutral(napi_env env, napi_value exports);

#endif
