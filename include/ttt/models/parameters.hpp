// ttt/models/parameters.hpp: all parameters of a model live in one flat buffer; a ParameterLayout names
// the tensors in it (name, shape, offset). Layers keep ParamTensor handles and map them onto whichever
// buffer they are given: the parameters, a gradient of the same layout, a per-thread gradient, or an
// optimiser's moment estimates. Optimisers and save/load then work on plain vectors.
#pragma once

#include <ttt/models/tensor.hpp>

#include <stdexcept>
#include <string>
#include <vector>

namespace ttt::models {

/// One tensor of a layout: elements [offset, offset + rows*cols) of the buffer, row-major (rows, cols).
struct ParamTensor {
  std::string name;
  Index rows = 0;
  Index cols = 0;
  Index offset = 0;
  bool decay = false;  // weight decay applies (weight matrices); not to biases, norms, embeddings' gains

  Index size() const { return rows * cols; }
};

class ParameterLayout {
 public:
  /// Appends a (rows, cols) tensor and returns its handle.
  ParamTensor add(const std::string& name, Index rows, Index cols, bool decay) {
    if (rows < 1 || cols < 1) throw std::invalid_argument("ParameterLayout: empty tensor " + name);
    if (find(name) >= 0) throw std::invalid_argument("ParameterLayout: duplicate tensor name " + name);
    ParamTensor t{name, rows, cols, m_size, decay};
    m_tensors.push_back(t);
    m_size += t.size();
    return t;
  }

  Index size() const { return m_size; }
  const std::vector<ParamTensor>& tensors() const { return m_tensors; }

  /// Position of the tensor called `name`, or -1.
  Index find(const std::string& name) const {
    for (std::size_t i = 0; i < m_tensors.size(); ++i)
      if (m_tensors[i].name == name) return static_cast<Index>(i);
    return -1;
  }

  const ParamTensor& at(const std::string& name) const {
    const Index i = find(name);
    if (i < 0) throw std::out_of_range("ParameterLayout: no tensor " + name);
    return m_tensors[static_cast<std::size_t>(i)];
  }

 private:
  std::vector<ParamTensor> m_tensors;
  Index m_size = 0;
};

/// The (rows, cols) matrix of tensor t inside buffer `base`.
template <class Real>
RowMatrixMap<Real> view(Real* base, const ParamTensor& t) {
  return RowMatrixMap<Real>(base + t.offset, t.rows, t.cols);
}
template <class Real>
ConstRowMatrixMap<Real> view(const Real* base, const ParamTensor& t) {
  return ConstRowMatrixMap<Real>(base + t.offset, t.rows, t.cols);
}
/// Tensor t as a column vector of rows*cols elements (biases, gains).
template <class Real>
ColVectorMap<Real> vector_view(Real* base, const ParamTensor& t) {
  return ColVectorMap<Real>(base + t.offset, t.size());
}
template <class Real>
ConstColVectorMap<Real> vector_view(const Real* base, const ParamTensor& t) {
  return ConstColVectorMap<Real>(base + t.offset, t.size());
}

}  // namespace ttt::models
