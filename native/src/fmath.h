/* Inlinable float math shared by the kernels and the fused MLP (libm calls do not vectorise). */
#ifndef AUTORESEARCH_FMATH_H
#define AUTORESEARCH_FMATH_H

#include <math.h>
#include <stdint.h>
#include <string.h>

/* exp(x) to ~2 ulp by range reduction and a degree-6 polynomial (Cephes expf): inlinable, unlike libm. */
static inline float fexp(float x) {
  x = x < -87.3f ? -87.3f : (x > 88.7f ? 88.7f : x);
  float n = floorf(x * 1.44269504088896341f + 0.5f);
  float r = x - n * 0.693359375f + n * 2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * r * r + r + 1.0f;
  int32_t bits = ((int32_t)n + 127) << 23;
  float scale;
  memcpy(&scale, &bits, sizeof scale);
  return p * scale;
}

/* tfjs's own erf (Abramowitz & Stegun 7.1.26, |error| < 1.5e-7), so the override matches the stock kernel. */
static inline float ferf(float v) {
  float s = v < 0 ? -1.0f : (v > 0 ? 1.0f : 0.0f);
  float a = fabsf(v);
  float t = 1.0f / (1.0f + 0.3275911f * a);
  float poly = ((((1.061405429f * t - 1.453152027f) * t + 1.421413741f) * t - 0.284496736f) * t + 0.254829592f) * t;
  return s * (1.0f - poly * fexp(-a * a));
}

#endif
