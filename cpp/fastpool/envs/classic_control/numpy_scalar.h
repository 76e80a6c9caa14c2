// numpy >= 2 scalar arithmetic (NEP 50), for envs whose gymnasium code mixes float32,
// float64 and Python numbers: a Python number is "weak" and takes the other operand's
// type, float64 wins over float32, and float32 arithmetic rounds to float32. Comparisons
// follow the same rule (np.float32(0.1) == 0.1 is True).
#pragma once

#include <cmath>

namespace fastpool::np {

enum class Kind { kPython, kFloat32, kFloat64 };

struct Num {
  double v;
  Kind kind;
};

inline Num py(double v) { return {v, Kind::kPython}; }
inline Num f32(double v) { return {static_cast<double>(static_cast<float>(v)), Kind::kFloat32}; }
inline Num f64(double v) { return {v, Kind::kFloat64}; }

inline Kind result_kind(const Num& a, const Num& b) {
  if (a.kind == Kind::kFloat64 || b.kind == Kind::kFloat64) return Kind::kFloat64;
  if (a.kind == Kind::kFloat32 || b.kind == Kind::kFloat32) return Kind::kFloat32;
  return Kind::kPython;
}

template <typename Op>
Num binop(const Num& a, const Num& b, Op op) {
  const Kind k = result_kind(a, b);
  if (k == Kind::kFloat32) return {static_cast<double>(op(static_cast<float>(a.v), static_cast<float>(b.v))), k};
  return {op(a.v, b.v), k};
}

template <typename Cmp>
bool compare(const Num& a, const Num& b, Cmp cmp) {
  if (result_kind(a, b) == Kind::kFloat32) return cmp(static_cast<float>(a.v), static_cast<float>(b.v));
  return cmp(a.v, b.v);
}

inline Num operator+(const Num& a, const Num& b) { return binop(a, b, [](auto x, auto y) { return x + y; }); }
inline Num operator-(const Num& a, const Num& b) { return binop(a, b, [](auto x, auto y) { return x - y; }); }
inline Num operator*(const Num& a, const Num& b) { return binop(a, b, [](auto x, auto y) { return x * y; }); }
inline bool operator<(const Num& a, const Num& b) { return compare(a, b, [](auto x, auto y) { return x < y; }); }
inline bool operator>(const Num& a, const Num& b) { return compare(a, b, [](auto x, auto y) { return x > y; }); }
inline bool operator>=(const Num& a, const Num& b) { return compare(a, b, [](auto x, auto y) { return x >= y; }); }
inline bool operator==(const Num& a, const Num& b) { return compare(a, b, [](auto x, auto y) { return x == y; }); }

// x**y of a numpy (or Python) float: the C library's pow, which for y = 2 is not always
// x*x. The exponent goes through a volatile so the compiler cannot fold pow(x, 2) to x*x.
inline double pow(double x, double y) {
  volatile double e = y;
  return std::pow(x, static_cast<double>(e));
}
inline float pow(float x, float y) {  // np.float32 ** y: powf
  volatile float e = y;
  return std::pow(x, static_cast<float>(e));
}

// Python's float % (numpy's npy_divmod): the result takes the divisor's sign.
inline double py_mod(double a, double b) {
  double mod = std::fmod(a, b);
  if (mod != 0) {
    if ((b < 0) != (mod < 0)) mod += b;
  } else {
    mod = std::copysign(0.0, b);
  }
  return mod;
}

}  // namespace fastpool::np
