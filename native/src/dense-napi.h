/* Registers the fused MLP's functions (denseCreate, denseStep, densePredict, denseFree) on the addon's exports. */
#ifndef AUTORESEARCH_DENSE_NAPI_H
#define AUTORESEARCH_DENSE_NAPI_H

#include <node_api.h>

napi_status register_dense(napi_env env, napi_value exports);

#endif
