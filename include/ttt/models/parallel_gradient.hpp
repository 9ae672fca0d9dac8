// ttt/models/parallel_gradient.hpp: a training loss (MSE or cross-entropy) and its parameter gradient over a batch of sequences,
// in parallel over the batch with OpenMP. The batch is cut into chunks of a fixed number of sequences
// (independent of the thread count); each chunk runs forward/backward into its own gradient buffer with its
// own preallocated activations, and the chunk results are summed in chunk order. Hence the loss and the
// gradient are the same bytes for any number of threads. Eigen's own GEMM threading is switched off
// (Eigen::setNbThreads(1)) because it could otherwise split a product differently for different teams.
#pragma once

#include <ttt/models/losses.hpp>
#include <ttt/models/transformer.hpp>

#include <vector>
#if defined(_OPENMP)
#include <omp.h>
#endif

namespace ttt::models {

template <class Real, class Kernel>
class ParallelGradient {
 public:
  using Model = Transformer<Real, Kernel>;

  explicit ParallelGradient(const Model& model, Index chunk = 8, LossKind loss = LossKind::mse)
      : m_model(&model), m_chunk(chunk), m_loss(loss) {
    if (chunk < 1) throw std::invalid_argument("ParallelGradient: chunk must be >= 1");
    Eigen::setNbThreads(1);
  }

  /// L = the mean loss over the batch's B x R read-outs (mean_loss in losses.hpp); grad (resized to the
  /// parameter count) = dL/dparams. tokens: (B*T, input_dim)  targets: (B, R) (values, or class indices).
  /// opt.mask must be shared (or null); no prefix, no capture.
  Real loss_and_gradient(const ConstRowRef<Real>& tokens, const ConstRowRef<Real>& targets, Index B, Index T,
                         const ForwardOptions<Real>& opt, ColVector<Real>& grad, int threads) {
    return run(tokens, targets, B, T, opt, &grad, threads);
  }

  /// The loss alone (forward passes only).
  Real loss(const ConstRowRef<Real>& tokens, const ConstRowRef<Real>& targets, Index B, Index T,
            const ForwardOptions<Real>& opt, int threads) {
    return run(tokens, targets, B, T, opt, nullptr, threads);
  }

 private:
  struct Chunk {
    typename Model::Cache cache;
    ColVector<Real> grad;
    RowMatrix<Real> dpred;
    Real sum = 0;
  };

  Real run(const ConstRowRef<Real>& tokens, const ConstRowRef<Real>& targets, Index B, Index T,
           const ForwardOptions<Real>& opt, ColVector<Real>* grad, int threads) {
    if ((opt.mask && !opt.mask->shared()) || opt.prefix || opt.capture)
      throw std::invalid_argument("ParallelGradient: needs a shared mask, no prefix and no capture");
    if (tokens.rows() != B * T || targets.rows() != B)
      throw std::invalid_argument("ParallelGradient: tokens (B*T, .) and targets (B, R) disagree with B, T");
    const Index C = (B + m_chunk - 1) / m_chunk, P = m_model->parameter_count();
    const Real count = static_cast<Real>(targets.size());
    if (static_cast<Index>(m_chunks.size()) < C) m_chunks.resize(static_cast<std::size_t>(C));
#pragma omp parallel for schedule(static) num_threads(threads > 0 ? threads : 1)
    for (Index c = 0; c < C; ++c) {
      Chunk& ch = m_chunks[static_cast<std::size_t>(c)];
      const Index b0 = c * m_chunk, nb = std::min(m_chunk, B - b0);
      const RowMatrix<Real>& pred = m_model->forward(tokens.middleRows(b0 * T, nb * T), nb, T, ch.cache, opt);
      const auto tg = targets.middleRows(b0, nb);
      if (m_loss == LossKind::mse) {
        const auto diff = (pred - tg).eval();
        ch.sum = diff.squaredNorm();
        if (grad) ch.dpred = (Real(2) / count) * diff;
      } else {
        if (grad) ch.dpred.setZero(pred.rows(), pred.cols());
        ch.sum = cross_entropy_sum<Real>(pred, tg, m_model->config().output_dim, grad ? &ch.dpred : nullptr,
                                         Real(1) / count);
      }
      if (grad) {
        ch.grad.setZero(P);
        m_model->backward(ch.cache, ch.dpred, ch.grad.data());
      }
    }
    Real sum = 0;
    for (Index c = 0; c < C; ++c) sum += m_chunks[static_cast<std::size_t>(c)].sum;
    if (grad) {
      grad->setZero(P);
      for (Index c = 0; c < C; ++c) *grad += m_chunks[static_cast<std::size_t>(c)].grad;
    }
    return sum / count;
  }

  const Model* m_model;
  Index m_chunk;
  LossKind m_loss;
  std::vector<Chunk> m_chunks;
};

}  // namespace ttt::models
