// Fused loss and gradients of a batch of shallow networks on a scalar input:
//   f_s(x) = sum_j a_sj sigma(w_sj x + b_sj) + c_s,  loss_s = mean_n (f_s(x_n) - y_sn)^2.
// One pass over the points per seed computes the output, the residual and every
// gradient, keeping the width-long rows in cache. Seeds run in parallel and each
// seed's arithmetic is sequential in a fixed order: results do not depend on how
// many seeds share the batch or on the thread count.
// Only the headers the kernel needs (ATen's tensor, dispatch macros and pybind11's tensor
// casters): a third of the compile time of <torch/extension.h>.
#include <ATen/Dispatch.h>
#include <ATen/Functions.h>
#include <ATen/core/Tensor.h>
#include <torch/csrc/utils/pybind.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace {

// TANH: in float, tanh_float below (vectorised, within 1.25 ulp of the exact tanh); in double,
// std::tanh (Python passes double tanh as a TABLE instead, computed by PyTorch's vectorised tanh).
// TABLE: activation values given; slope 1 - value^2.
// BSPLINE2, BSPLINE3: cardinal B-splines of degree 2 and 3 (supports [0, 3] and [0, 4]),
// each piece in its local variable on [i, i + 1), as hatlib.activations writes them.
enum Activation { RELU = 0, HAT = 1, TANH = 2, TABLE = 3, BSPLINE2 = 4, BSPLINE3 = 5 };

// The bits of b where take_a is false, of a where it is true (a branch-free select that
// GCC vectorises on AVX2 too).
inline float select_bits(bool take_a, float a, float b) {
  uint32_t ab, bb;
  std::memcpy(&ab, &a, 4);
  std::memcpy(&bb, &b, 4);
  const uint32_t mask = 0u - static_cast<uint32_t>(take_a);
  const uint32_t out = (ab & mask) | (bb & ~mask);
  float result;
  std::memcpy(&result, &out, 4);
  return result;
}

inline double select_bits(bool take_a, double a, double b) {
  uint64_t ab, bb;
  std::memcpy(&ab, &a, 8);
  std::memcpy(&bb, &b, 8);
  const uint64_t mask = 0u - static_cast<uint64_t>(take_a);
  const uint64_t out = (ab & mask) | (bb & ~mask);
  double result;
  std::memcpy(&result, &out, 8);
  return result;
}

inline uint32_t float_bits(float x) {
  uint32_t bits;
  std::memcpy(&bits, &x, 4);
  return bits;
}

inline float bits_float(uint32_t bits) {
  float x;
  std::memcpy(&x, &bits, 4);
  return x;
}

// tanh in float, branch-free so that loops over it vectorise (AVX-512 and AVX2+FMA):
// on |z| < 0.625 the odd polynomial z + z^3 P(z^2) of Cephes' tanhf, elsewhere
// 1 - 2 / (exp(2|z|) + 1), then the sign of z. exp(2a) = 2^n exp(2h) with n = round(2a / ln 2)
// and h = a - n ln2 / 2 (|h| <= ln2 / 4): n is rounded and 2^n built by the 1.5 * 2^23 trick
// (no int/float conversions), h is one fma (the error of ln 2 in float, n * 1e-9, is damped by
// the small 2 / (exp(2a) + 1) at large n), and exp(2h) is a degree-6 minimax polynomial
// (relative error 1.9e-9). The polynomial and the constant beside it carry a factor 1.7, which
// keeps the mantissas of p and d away from 1.0 just above |z| = 0.625 and so lowers the largest
// rounding error there (1.36 ulp without it). Within 1.25 ulp of the exact tanh on every
// float32 bit pattern (largest 1.249 ulp, at |z| = 0.775137; the odd polynomial's largest is
// 0.72 ulp, at |z| = 0.545414), the same bits on AVX-512 and AVX2+FMA builds; tanh(+-inf) =
// +-1, tanh(+-0) = +-0, tiny and denormal z give z exactly, NaN stays NaN. 27 vector
// instructions per 16 floats on AVX-512.
inline float tanh_float(float z) {
  const float a = std::fabs(z);
  // Clamped at 9.5 (tanh(a) rounds to 1 from a = 9.0109 on) so that 2^n stays a finite float.
  // An integer min, since a >= 0 orders like its bits: a float min with a constant makes GCC
  // split off the clamped case as a branch of its own, which keeps the AVX2 loops scalar.
  // NaN becomes 9.5 here; the select below sends NaN to `near`, which keeps it.
  const float ac = bits_float(std::min(float_bits(a), float_bits(9.5f)));
  // t = 2 ac / ln 2 + 1.5 * 2^23 + 127 lies in [2^23, 2^24), where floats are the integers:
  // t - magic = n, and the low mantissa bits of t (n + 127) shifted into the exponent give 2^n.
  const float magic = 12583039.0f;
  const float t = ac * 2.88539008177792681f + magic;
  const float fn = t - magic;
  const float h = ac - fn * 0.346573590279972655f;
  float p = 1.505447775e-1f;  // 1.7 exp(2h)
  p = p * h + 4.555904269e-1f;
  p = p * h + 1.133375764e+0f;
  p = p * h + 2.266633034e+0f;
  p = p * h + 3.399999380e+0f;
  p = p * h + 3.400000095e+0f;
  p = p * h + 1.700000048e+0f;
  const float d = p * bits_float(float_bits(t) << 23) + 1.7f;  // 1.7 (exp(2 ac) + 1)
  const float far = 1.0f - 3.4f / d;
  const float a2 = a * a;
  float q = -5.70498872745e-3f;
  q = q * a2 + 2.06390887954e-2f;
  q = q * a2 - 5.37397155531e-2f;
  q = q * a2 + 1.33314422036e-1f;
  q = q * a2 - 3.33332819422e-1f;
  const float near = a + a * a2 * q;
  const float r = select_bits(!(a >= 0.625f), near, far);
  return bits_float(float_bits(r) | (float_bits(z) & 0x80000000u));
}

inline float tanh_value(float z) { return tanh_float(z); }
inline double tanh_value(double z) { return std::tanh(z); }

// Value and derivative; the Hat derivative follows relu(z) - 2 relu(z-1) + relu(z-2)
// with relu'(0) = 0: 1 on (0, 1], -1 on (1, 2], 0 elsewhere.
template <typename T, int ACT>
inline void activate(T z, T& value, T& slope) {
  if (ACT == RELU) {
    value = z > T(0) ? z : T(0);
    slope = z > T(0) ? T(1) : T(0);
  } else if (ACT == HAT) {
    // value = max(0, 1 - |z - 1|); the slope +1 on (0, 1], -1 on (1, 2], 0 elsewhere,
    // as relu(z) - 2 relu(z - 1) + relu(z - 2) gives it (1, 1, -1 at z = 0+, 1, 2): the
    // sign of 1 - z (+1 at z = 1, where 1 - z = +0) under bitwise selects. And-ed
    // comparisons kept GCC's loop scalar on AVX2 (Hat at a quarter of ReLU's speed), and
    // blends under AVX-512's mask registers ran at half this form's speed on an Intel
    // Xeon of family 6, model 207, and at 0.87 of it on model 167 (kernel alone, 2 threads).
    const T u = T(1) - z;
    const T hat = T(1) - std::fabs(u);
    value = std::max(hat, T(0));
    slope = select_bits(z > T(0), select_bits(z <= T(2), std::copysign(T(1), u), T(0)), T(0));
  } else if (ACT == BSPLINE2) {
    // Pieces chosen by bitwise selects: GCC keeps nested conditional expressions on
    // AVX2 scalar (it vectorises them only with AVX-512's masks).
    const T m = z - T(1.5), r = T(3) - z;
    const bool left = z < T(1), middle = z < T(2), support = (z >= T(0)) & (z < T(3));
    const T v = select_bits(left, T(0.5) * z * z, select_bits(middle, T(0.75) - m * m,
                                                               T(0.5) * r * r));
    const T d = select_bits(left, z, select_bits(middle, T(3) - T(2) * z, z - T(3)));
    value = select_bits(support, v, T(0));
    slope = select_bits(support, d, T(0));
  } else if (ACT == BSPLINE3) {
    // (1 + 3t + 3t^2 - 3t^3)/6 with t = z - 1 on [1, 2) and t = 3 - z on [2, 3)
    const T sixth = T(1) / T(6);
    const bool first = z < T(1), second = z < T(2), third = z < T(3);
    const bool support = (z >= T(0)) & (z < T(4));
    const T t = select_bits(second, z - T(1), T(3) - z);
    const T inner = (T(1) + t * (T(3) + t * (T(3) - T(3) * t))) * sixth;
    const T inner_slope = T(0.5) + t * (T(1) - T(1.5) * t);
    const T r = T(4) - z;
    const T v = select_bits(first, z * z * z * sixth, select_bits(third, inner, r * r * r * sixth));
    const T d = select_bits(
        first, T(0.5) * z * z,
        select_bits(second, inner_slope, select_bits(third, -inner_slope, T(-0.5) * r * r)));
    value = select_bits(support, v, T(0));
    slope = select_bits(support, d, T(0));
  } else {
    value = tanh_value(z);
    slope = T(1) - value * value;
  }
}

// An optimizer update of one seed's parameters, applied with the gradients of the previous
// call before this call computes new ones. The formulas and their order are those of
// hatlib/optimizers.py (torch.optim's SGD and single-tensor Adam): gradient descent
// p + (-lr) g; Adam m + (1 - beta1)(g - m) (torch.lerp, weight below 1/2), v beta2 +
// (1 - beta2) g g, p + (-step_size) (m / (sqrt(v) / sqrt(1 - beta2^t) + eps)). Each
// element is updated on its own, in a fixed order, so results do not depend on threads.
enum Optimizer { NONE = 0, GRADIENT_DESCENT = 1, ADAM = 2 };

template <typename T>
struct Update {
  int64_t optimizer = NONE;
  // Per parameter (w, b, a, c): trained or frozen.
  bool trained[4] = {false, false, false, false};
  T learning_rate = 0, step_size = 0, beta1_weight = 0, beta2 = 0, beta2_weight = 0,
    bias_correction2_sqrt = 1, eps = 0;
  // First and second moments per parameter (Adam), shaped like it.
  T* first[4] = {nullptr, nullptr, nullptr, nullptr};
  T* second[4] = {nullptr, nullptr, nullptr, nullptr};
};

template <typename T>
inline void update_row(const Update<T>& u, int index, T* p, const T* g, int64_t offset,
                       int64_t count) {
  if (u.optimizer == NONE || !u.trained[index]) return;
  p += offset;
  g += offset;
  if (u.optimizer == GRADIENT_DESCENT) {
    const T alpha = -u.learning_rate;
#pragma omp simd
    for (int64_t j = 0; j < count; ++j) p[j] = p[j] + alpha * g[j];
    return;
  }
  T* m = u.first[index] + offset;
  T* v = u.second[index] + offset;
  const T value = -u.step_size;
#pragma omp simd
  for (int64_t j = 0; j < count; ++j) {
    m[j] = m[j] + u.beta1_weight * (g[j] - m[j]);
    v[j] = v[j] * u.beta2;
    v[j] = v[j] + u.beta2_weight * g[j] * g[j];
    const T denominator = std::sqrt(v[j]) / u.bias_correction2_sqrt + u.eps;
    p[j] = p[j] + value * (m[j] / denominator);
  }
}

// Per seed: apply `update` with the gradients in gw, gb, ga, gc (from the previous call);
// then, with `compute`, the loss, the outputs and the new gradients at the parameters.
template <typename T, int ACT>
void fused_step(const T* x, const T* y, T* w, T* b, T* a, T* c, const T* table, T* loss, T* gw,
                T* gb, T* ga, T* gc, T* out, int64_t seeds, int64_t points, int64_t width,
                const Update<T>& update, bool compute) {
#pragma omp parallel for schedule(static)
  for (int64_t s = 0; s < seeds; ++s) {
    update_row(update, 0, w, gw, s * width, width);
    update_row(update, 1, b, gb, s * width, width);
    update_row(update, 2, a, ga, s * width, width);
    update_row(update, 3, c, gc, s, 1);
    if (!compute) continue;
    const T* ws = w + s * width;
    const T* bs = b + s * width;
    const T* as = a + s * width;
    const T* ys = y + s * points;
    T* gws = gw + s * width;
    T* gbs = gb + s * width;
    T* gas = ga + s * width;
    std::vector<T> value(width), slope(width);
    for (int64_t j = 0; j < width; ++j) gws[j] = gbs[j] = gas[j] = T(0);
    T squared = T(0), bias_gradient = T(0);
    const T scale = T(2) / T(points);
    for (int64_t n = 0; n < points; ++n) {
      const T xn = x[n];
      T output = c[s];
#pragma omp simd reduction(+ : output)
      for (int64_t j = 0; j < width; ++j) {
        T v, d;
        if (ACT == TABLE) {
          v = table[(s * points + n) * width + j];
          d = T(1) - v * v;
        } else {
          activate<T, ACT>(xn * ws[j] + bs[j], v, d);
        }
        value[j] = v;
        // Tanh's slope 1 - v^2 is recomputed from the value below: cheaper than storing it.
        if (ACT != TANH && ACT != TABLE) slope[j] = d;
        output += as[j] * v;
      }
      out[s * points + n] = output;
      const T residual = output - ys[n];
      squared += residual * residual;
      const T g = scale * residual;
      bias_gradient += g;
#pragma omp simd
      for (int64_t j = 0; j < width; ++j) {
        const T d = (ACT == TANH || ACT == TABLE) ? T(1) - value[j] * value[j] : slope[j];
        const T gz = g * as[j] * d;
        gas[j] += g * value[j];
        gws[j] += gz * xn;
        gbs[j] += gz;
      }
    }
    loss[s] = squared / T(points);
    gc[s] = bias_gradient;
  }
}

template <typename T>
void dispatch(int64_t activation, const T* x, const T* y, T* w, T* b, T* a, T* c,
              const T* table, T* loss, T* gw, T* gb, T* ga, T* gc, T* out, int64_t seeds,
              int64_t points, int64_t width, const Update<T>& u, bool compute) {
#define HATLIB_STEP(CODE) \
  fused_step<T, CODE>(x, y, w, b, a, c, table, loss, gw, gb, ga, gc, out, seeds, points, width, u, \
                      compute)
  if (activation == RELU)
    HATLIB_STEP(RELU);
  else if (activation == HAT)
    HATLIB_STEP(HAT);
  else if (activation == TANH)
    HATLIB_STEP(TANH);
  else if (activation == BSPLINE2)
    HATLIB_STEP(BSPLINE2);
  else if (activation == BSPLINE3)
    HATLIB_STEP(BSPLINE3);
  else
    HATLIB_STEP(TABLE);
#undef HATLIB_STEP
}

}  // namespace

namespace {

template <typename T, int ACT>
void activation_pass(const T* z, T* value, T* slope, int64_t count) {
  constexpr int64_t block = 4096;
#pragma omp parallel for schedule(static)
  for (int64_t start = 0; start < count; start += block) {
    const int64_t stop = std::min(count, start + block);
#pragma omp simd
    for (int64_t i = start; i < stop; ++i) activate<T, ACT>(z[i], value[i], slope[i]);
  }
}

}  // namespace

// The activation's values and slopes on every element of a contiguous tensor, in one pass
// (the fused activation of the deep networks: autograd keeps the slopes for the backward).
std::vector<at::Tensor> activation_and_slope(at::Tensor z, int64_t activation) {
  TORCH_CHECK(z.is_contiguous(), "contiguous input");
  TORCH_CHECK(activation == RELU || activation == HAT || activation == BSPLINE2 ||
                  activation == BSPLINE3 || (activation == TANH && z.scalar_type() == at::kFloat),
              "activation code ", activation);
  auto value = at::empty_like(z), slope = at::empty_like(z);
  AT_DISPATCH_FLOATING_TYPES(z.scalar_type(), "activation_and_slope", [&] {
    const scalar_t* in = z.data_ptr<scalar_t>();
    scalar_t* v = value.data_ptr<scalar_t>();
    scalar_t* d = slope.data_ptr<scalar_t>();
    const int64_t n = z.numel();
    if (activation == RELU)
      activation_pass<scalar_t, RELU>(in, v, d, n);
    else if (activation == HAT)
      activation_pass<scalar_t, HAT>(in, v, d, n);
    else if (activation == TANH)
      activation_pass<scalar_t, TANH>(in, v, d, n);
    else if (activation == BSPLINE2)
      activation_pass<scalar_t, BSPLINE2>(in, v, d, n);
    else
      activation_pass<scalar_t, BSPLINE3>(in, v, d, n);
  });
  return {value, slope};
}

// The widest SIMD instruction set this build was compiled for (from the compiler's macros).
std::string simd_level() {
#if defined(__AVX512F__)
  return "AVX-512";
#elif defined(__AVX2__) && defined(__FMA__)
  return "AVX2+FMA";
#elif defined(__AVX2__)
  return "AVX2";
#elif defined(__AVX__)
  return "AVX";
#elif defined(__SSE4_2__)
  return "SSE4.2";
#elif defined(__SSE2__)
  return "SSE2";
#elif defined(__ARM_NEON)
  return "NEON";
#else
  return "scalar";
#endif
}

// The kernel's float tanh on every element of a contiguous float32 tensor (for the tests).
at::Tensor tanh_float32(at::Tensor z) {
  TORCH_CHECK(z.scalar_type() == at::kFloat && z.is_contiguous(), "contiguous float32");
  auto out = at::empty_like(z);
  const float* in = z.data_ptr<float>();
  float* values = out.data_ptr<float>();
  const int64_t count = z.numel();
#pragma omp simd
  for (int64_t i = 0; i < count; ++i) values[i] = tanh_float(in[i]);
  return out;
}

// x: (N,), y: (S, N), w, b, a: (S, M), c: (S,); all contiguous, same CPU dtype.
// table: (S, N, M) activation values for activation code TABLE, else empty.
// Returns loss (S,), the gradients of sum_s loss_s: (S, M), (S, M), (S, M), (S,), and
// the outputs f_s(x_n): (S, N).
std::vector<at::Tensor> shallow_loss_and_gradients(at::Tensor x, at::Tensor y,
                                                      at::Tensor w, at::Tensor b,
                                                      at::Tensor a, at::Tensor c,
                                                      at::Tensor table, int64_t activation) {
  TORCH_CHECK(activation >= 0 && activation <= 5, "unknown activation code ", activation);
  TORCH_CHECK(activation != 3 || table.numel() == w.numel() * x.size(0), "table shape");
  const int64_t seeds = w.size(0), width = w.size(1), points = x.size(0);
  auto loss = at::empty({seeds}, w.options());
  auto gw = at::empty_like(w), gb = at::empty_like(b), ga = at::empty_like(a);
  auto gc = at::empty_like(c);
  auto out = at::empty_like(y);
  AT_DISPATCH_FLOATING_TYPES(w.scalar_type(), "shallow_loss_and_gradients", [&] {
    dispatch<scalar_t>(activation, x.data_ptr<scalar_t>(), y.data_ptr<scalar_t>(),
                       w.data_ptr<scalar_t>(), b.data_ptr<scalar_t>(), a.data_ptr<scalar_t>(),
                       c.data_ptr<scalar_t>(),
                       activation == 3 ? table.data_ptr<scalar_t>() : nullptr,
                       loss.data_ptr<scalar_t>(), gw.data_ptr<scalar_t>(),
                       gb.data_ptr<scalar_t>(), ga.data_ptr<scalar_t>(), gc.data_ptr<scalar_t>(),
                       out.data_ptr<scalar_t>(), seeds, points, width, Update<scalar_t>(), true);
  });
  return {loss, gw, gb, ga, gc, out};
}

// One training step in one call: apply the optimizer update with the gradients in
// `gradients` (w, b, a, c; those of the previous call) to the parameters `params` (w, b, a,
// c, in place) when `optimizer` is not NONE, then, with `compute`, write each seed's loss,
// its outputs and the gradients at the updated parameters into `loss`, `out` and `gradients`.
// `trained` flags which of w, b, a, c the update changes; `first` and `second` are Adam's
// moments of the trained ones (in place), in the order w, b, a, c. `scalars`: learning rate,
// Adam's step size lr / (1 - beta1^t), 1 - beta1, beta2, 1 - beta2, sqrt(1 - beta2^t), eps.
namespace {

// The update's settings: the optimizer, which parameters it trains, Adam's moments and the
// seven scalars of one step (as shallow_step documents them).
template <typename T>
Update<T> make_update(int64_t optimizer, const std::vector<bool>& trained,
                      const std::vector<at::Tensor>& first, const std::vector<at::Tensor>& second,
                      const std::vector<double>& scalars) {
  Update<T> u;
  u.optimizer = optimizer;
  u.learning_rate = static_cast<T>(scalars[0]);
  u.step_size = static_cast<T>(scalars[1]);
  u.beta1_weight = static_cast<T>(scalars[2]);
  u.beta2 = static_cast<T>(scalars[3]);
  u.beta2_weight = static_cast<T>(scalars[4]);
  u.bias_correction2_sqrt = static_cast<T>(scalars[5]);
  u.eps = static_cast<T>(scalars[6]);
  size_t moment = 0;
  for (int i = 0; i < 4; ++i) {
    u.trained[i] = trained[i];
    if (trained[i] && optimizer == ADAM) {
      TORCH_CHECK(moment < first.size() && moment < second.size(), "Adam moments");
      TORCH_CHECK(first[moment].is_contiguous() && second[moment].is_contiguous(),
                  "contiguous moments");
      u.first[i] = first[moment].data_ptr<T>();
      u.second[i] = second[moment].data_ptr<T>();
      ++moment;
    }
  }
  return u;
}

void check_step(int64_t activation, int64_t optimizer, const std::vector<at::Tensor>& params,
                const std::vector<at::Tensor>& gradients, const std::vector<bool>& trained) {
  TORCH_CHECK(activation >= 0 && activation <= 5 && activation != 3, "activation code ",
              activation);
  TORCH_CHECK(optimizer >= NONE && optimizer <= ADAM, "unknown optimizer code ", optimizer);
  TORCH_CHECK(params.size() == 4 && gradients.size() == 4 && trained.size() == 4, "w, b, a, c");
  for (const auto& t : params) TORCH_CHECK(t.is_contiguous(), "contiguous parameters");
  for (const auto& t : gradients) TORCH_CHECK(t.is_contiguous(), "contiguous gradients");
}

template <typename T>
void run_step(const at::Tensor& x, const at::Tensor& y, const std::vector<at::Tensor>& params,
              const std::vector<at::Tensor>& gradients, const at::Tensor& loss,
              const at::Tensor& out, int64_t activation, const Update<T>& u, bool compute) {
  const int64_t seeds = params[0].size(0), width = params[0].size(1), points = x.size(0);
  dispatch<T>(activation, x.data_ptr<T>(), y.data_ptr<T>(), params[0].data_ptr<T>(),
              params[1].data_ptr<T>(), params[2].data_ptr<T>(), params[3].data_ptr<T>(), nullptr,
              loss.data_ptr<T>(), gradients[0].data_ptr<T>(), gradients[1].data_ptr<T>(),
              gradients[2].data_ptr<T>(), gradients[3].data_ptr<T>(), out.data_ptr<T>(), seeds,
              points, width, u, compute);
}

}  // namespace

// One training step in one call: apply the optimizer update with the gradients in
// `gradients` (w, b, a, c; those of the previous call) to the parameters `params` (w, b, a,
// c, in place) when `optimizer` is not NONE, then, with `compute`, write each seed's loss,
// its outputs and the gradients at the updated parameters into `loss`, `out` and `gradients`.
// `trained` flags which of w, b, a, c the update changes; `first` and `second` are Adam's
// moments of the trained ones (in place), in the order w, b, a, c. `scalars`: learning rate,
// Adam's step size lr / (1 - beta1^t), 1 - beta1, beta2, 1 - beta2, sqrt(1 - beta2^t), eps.
void shallow_step(at::Tensor x, at::Tensor y, std::vector<at::Tensor> params,
                  std::vector<at::Tensor> gradients, at::Tensor loss, at::Tensor out,
                  int64_t activation, int64_t optimizer, std::vector<bool> trained,
                  std::vector<at::Tensor> first, std::vector<at::Tensor> second,
                  std::vector<double> scalars, bool compute) {
  check_step(activation, optimizer, params, gradients, trained);
  TORCH_CHECK(scalars.size() == 7, "seven optimizer scalars");
  AT_DISPATCH_FLOATING_TYPES(params[0].scalar_type(), "shallow_step", [&] {
    const auto u = make_update<scalar_t>(optimizer, trained, first, second, scalars);
    run_step<scalar_t>(x, y, params, gradients, loss, out, activation, u, compute);
  });
}

// `count` training steps in one call, each as shallow_step with an update (gradient
// descent or Adam) and `compute`, writing step i's losses into row i of `losses`
// (count, S). `hyper`: learning rate, beta1, beta2, eps; Adam's step count before the
// first update is `step_count` and advances by one per step, its scalars computed as
// hatlib.kernels.FusedShallowStep computes them (in double, with pow), so the steps equal
// `count` calls of shallow_step bit for bit. The last step's gradients are left for the
// next update.
void shallow_steps(at::Tensor x, at::Tensor y, std::vector<at::Tensor> params,
                   std::vector<at::Tensor> gradients, at::Tensor loss, at::Tensor out,
                   int64_t activation, int64_t optimizer, std::vector<bool> trained,
                   std::vector<at::Tensor> first, std::vector<at::Tensor> second,
                   std::vector<double> hyper, int64_t step_count, int64_t count,
                   at::Tensor losses) {
  check_step(activation, optimizer, params, gradients, trained);
  TORCH_CHECK(optimizer != NONE, "steps need an optimizer");
  TORCH_CHECK(hyper.size() == 4, "learning rate, beta1, beta2, eps");
  const int64_t seeds = params[0].size(0);
  TORCH_CHECK(losses.is_contiguous() && losses.dim() == 2 && losses.size(0) >= count &&
                  losses.size(1) == seeds && losses.scalar_type() == loss.scalar_type(),
              "losses (count, seeds)");
  AT_DISPATCH_FLOATING_TYPES(params[0].scalar_type(), "shallow_steps", [&] {
    const double rate = hyper[0], beta1 = hyper[1], beta2 = hyper[2], eps = hyper[3];
    for (int64_t i = 0; i < count; ++i) {
      std::vector<double> scalars = {rate, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0};
      if (optimizer == ADAM) {
        const double t = static_cast<double>(step_count + i + 1);
        scalars = {rate,        rate / (1 - std::pow(beta1, t)), 1 - beta1, beta2, 1 - beta2,
                   std::pow(1 - std::pow(beta2, t), 0.5),       eps};
      }
      const auto u = make_update<scalar_t>(optimizer, trained, first, second, scalars);
      run_step<scalar_t>(x, y, params, gradients, loss, out, activation, u, true);
      std::memcpy(losses.data_ptr<scalar_t>() + i * seeds, loss.data_ptr<scalar_t>(),
                  sizeof(scalar_t) * seeds);
    }
  });
}

PYBIND11_MODULE(TORCH_EXTENSION_NAME, module) {
  module.def("shallow_loss_and_gradients", &shallow_loss_and_gradients,
             "loss, gradients and outputs of a batch of shallow networks");
  module.def("shallow_step", &shallow_step, "an optimizer update, then loss and gradients");
  module.def("shallow_steps", &shallow_steps, "several updates, each with loss and gradients");
  module.def("tanh_float32", &tanh_float32, "the kernel's float32 tanh");
  module.def("activation_and_slope", &activation_and_slope, "values and slopes in one pass");
  module.def("simd_level", &simd_level, "the SIMD instruction set of this build");
}
