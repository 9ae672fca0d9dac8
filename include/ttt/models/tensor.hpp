// ttt/models/tensor.hpp: the matrix types of the transformer templates.
// Activations of a batch are stacked by sequence: a batch of B sequences of T tokens of width D is one
// row-major (B*T, D) matrix whose rows [b*T, (b+1)*T) are sequence b. Row-major keeps a token's features,
// and a sequence's tokens, contiguous; weight matrices use the same order as PyTorch's (out, in).
#pragma once

#include <Eigen/Dense>

namespace ttt::models {

template <class Real>
using RowMatrix = Eigen::Matrix<Real, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
template <class Real>
using ColVector = Eigen::Matrix<Real, Eigen::Dynamic, 1>;
template <class Real>
using RowMatrixMap = Eigen::Map<RowMatrix<Real>>;
template <class Real>
using ConstRowMatrixMap = Eigen::Map<const RowMatrix<Real>>;
template <class Real>
using ColVectorMap = Eigen::Map<ColVector<Real>>;
template <class Real>
using ConstColVectorMap = Eigen::Map<const ColVector<Real>>;
/// A read-only view of rows with unit inner stride (a whole matrix or a block of whole rows or columns).
template <class Real>
using ConstRowRef = Eigen::Ref<const RowMatrix<Real>>;

using Index = Eigen::Index;

}  // namespace ttt::models
