// ttt/models/losses.hpp: the training losses of the transformer's read-out, each returning the mean loss over
// the B x R read-outs and, when asked, dL/dpredictions in the (B, R*C) layout of Transformer::forward.
//   mse:            C = 1,  L = (1/(B R)) sum (pred - y)^2
//   cross_entropy:  C logits per read-out, target = class index in [0, C),
//                   L = (1/(B R)) sum [ logsumexp(logits) - logits[target] ]
#pragma once

#include <ttt/models/tensor.hpp>

#include <cmath>
#include <stdexcept>
#include <string>

namespace ttt::models {

enum class LossKind { mse, cross_entropy };

inline const char* loss_name(LossKind k) { return k == LossKind::mse ? "mse" : "cross_entropy"; }

/// Class index stored in a Real target, checked against [0, C).
template <class Real>
Index class_index(Real target, Index C) {
  const auto c = static_cast<Index>(std::lround(static_cast<double>(target)));
  if (c < 0 || c >= C || static_cast<double>(c) != static_cast<double>(target))
    throw std::invalid_argument("cross_entropy: target " + std::to_string(static_cast<double>(target)) +
                                " is not a class index in [0, " + std::to_string(C) + ")");
  return c;
}

/// Sum over the read-outs of the cross-entropy (not divided); adds scale * dL_sum/dlogits into *dpred when
/// given (dpred already sized (B, R*C)). logits: (B, R*C)  targets: (B, R).
template <class Real>
Real cross_entropy_sum(const ConstRowRef<Real>& logits, const ConstRowRef<Real>& targets, Index C,
                       RowMatrix<Real>* dpred, Real scale) {
  const Index B = logits.rows(), R = targets.cols();
  if (logits.cols() != R * C || targets.rows() != B)
    throw std::invalid_argument("cross_entropy: logits must be (B, R*C) with targets (B, R)");
  Real sum = 0;
  for (Index b = 0; b < B; ++b)
    for (Index r = 0; r < R; ++r) {
      const auto z = logits.row(b).segment(r * C, C);
      const Index y = class_index(targets(b, r), C);
      const Real mx = z.maxCoeff();
      Real se = 0;
      for (Index j = 0; j < C; ++j) se += std::exp(z(j) - mx);
      sum += mx + std::log(se) - z(y);
      if (dpred) {
        for (Index j = 0; j < C; ++j) (*dpred)(b, r * C + j) += scale * std::exp(z(j) - mx) / se;
        (*dpred)(b, r * C + y) -= scale;
      }
    }
  return sum;
}

/// Mean loss of `kind` over the B x R read-outs; *dpred (resized) = its gradient w.r.t. the predictions.
template <class Real>
Real mean_loss(LossKind kind, const ConstRowRef<Real>& pred, const ConstRowRef<Real>& targets, Index C,
               RowMatrix<Real>* dpred = nullptr) {
  const Real count = static_cast<Real>(targets.size());
  if (kind == LossKind::mse) {
    if (C != 1 || pred.rows() != targets.rows() || pred.cols() != targets.cols())
      throw std::invalid_argument("mse: predictions and targets must both be (B, R) with one output");
    if (dpred) *dpred = (Real(2) / count) * (pred - targets);
    return (pred - targets).squaredNorm() / count;
  }
  if (dpred) dpred->setZero(pred.rows(), pred.cols());
  return cross_entropy_sum(pred, targets, C, dpred, Real(1) / count) / count;
}

/// Number of read-outs whose arg-max logit is the target class (C > 1), or, for C = 1, whose prediction is
/// within `tol` of the target.
template <class Real>
Index correct_count(const ConstRowRef<Real>& pred, const ConstRowRef<Real>& targets, Index C, double tol = 0) {
  const Index B = targets.rows(), R = targets.cols();
  Index n = 0;
  for (Index b = 0; b < B; ++b)
    for (Index r = 0; r < R; ++r) {
      if (C == 1) {
        n += std::abs(static_cast<double>(pred(b, r) - targets(b, r))) <= tol ? 1 : 0;
        continue;
      }
      Index arg = 0;
      pred.row(b).segment(r * C, C).maxCoeff(&arg);
      n += arg == class_index(targets(b, r), C) ? 1 : 0;
    }
  return n;
}

}  // namespace ttt::models
