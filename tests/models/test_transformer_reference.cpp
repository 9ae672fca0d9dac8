// The softmax transformer against the PyTorch float64 reference dump written by
// tests/reference/generate_transformer_reference.py (same weights, loaded from the dump): predictions, loss,
// every parameter gradient, the captured KV cache and its gradient under a per-sequence mask, and a
// 10-step AdamW trajectory with warm-up, cosine decay and clipping.
// Tolerance: both sides compute the same O(1e3)-operation float64 expressions in different orders, so they
// agree to roundoff(1e3) = 4e3 eps ~ 9e-13 relative to the largest magnitude of the compared quantity; for
// gradients that magnitude is the largest element of the whole gradient, since roundoff propagates between
// tensors (the key biases' gradient is exactly 0 in exact arithmetic: softmax is invariant to the shift
// q . b_k of a row, so both sides hold pure roundoff there). The trajectory uses roundoff(1e4) relative to
// each tensor, except the key biases: Adam normalises their roundoff-only gradients, so they can only be
// bounded by the largest total movement of Adam, sum_t lr_t.
#include "support/tolerance.hpp"

#include <ttt/models/adamw.hpp>
#include <ttt/models/transformer.hpp>

#include <catch2/catch.hpp>

#include <fstream>
#include <map>
#include <sstream>
#include <string>

using namespace ttt::models;

namespace {

std::map<std::string, RowMatrix<double>> read_dump(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open " + path);
  std::map<std::string, RowMatrix<double>> m;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream head(line);
    std::string name;
    Index rows = 0, cols = 0;
    head >> name >> rows >> cols;
    RowMatrix<double> t(rows, cols);
    std::getline(in, line);
    std::istringstream vals(line);
    for (Index i = 0; i < t.size(); ++i) vals >> t.data()[i];
    if (!vals) throw std::runtime_error("bad values for " + name + " in " + path);
    m[name] = t;
  }
  return m;
}

TransformerConfig reference_config() {
  TransformerConfig c;
  c.input_dim = 4;
  c.width = 8;
  c.layers = 2;
  c.heads = 2;
  c.mlp_ratio = 4;
  c.max_tokens = 10;
  return c;
}

using Model = Transformer<double, SoftmaxKernel>;

void load_into(Model& model, const std::map<std::string, RowMatrix<double>>& ref, const std::string& prefix) {
  for (const ParamTensor& t : model.layout().tensors()) {
    const auto& src = ref.at(prefix + t.name);
    REQUIRE(src.rows() * src.cols() == t.size());
    vector_view(model.parameters().data(), t) = Eigen::Map<const ColVector<double>>(src.data(), src.size());
  }
}

double max_rel_error(const RowMatrix<double>& a, const RowMatrix<double>& ref) {
  REQUIRE(a.rows() * a.cols() == ref.rows() * ref.cols());
  const Eigen::Map<const ColVector<double>> x(a.data(), a.size()), y(ref.data(), ref.size());
  return (x - y).cwiseAbs().maxCoeff() / (1e-300 + y.cwiseAbs().maxCoeff());
}

void check_grads(const Model& model, const ColVector<double>& g, const std::map<std::string, RowMatrix<double>>& ref,
                 const std::string& prefix) {
  double scale = 0;
  for (const ParamTensor& t : model.layout().tensors()) scale = std::max(scale, ref.at(prefix + t.name).cwiseAbs().maxCoeff());
  for (const ParamTensor& t : model.layout().tensors()) {
    INFO(prefix + t.name);
    const RowMatrix<double> mine = view(g.data(), t);
    CHECK((mine - ref.at(prefix + t.name)).cwiseAbs().maxCoeff() <= ttt::test::roundoff(1e3) * scale);
  }
}

bool is_key_bias(const std::string& name) {
  return name.size() > 12 && name.compare(name.size() - 12, 12, ".attn.k.bias") == 0;
}

AttentionMask mask_from(const RowMatrix<double>& m, Index sequences) {
  const Index q = m.rows() / sequences;
  AttentionMask mask(q, m.cols(), sequences);
  for (Index s = 0; s < sequences; ++s)
    for (Index i = 0; i < q; ++i)
      for (Index j = 0; j < m.cols(); ++j) mask.set(s, i, i + 1, j, j + 1, m(s * q + i, j) != 0);
  return mask;
}

const std::map<std::string, RowMatrix<double>>& reference() {
  static const auto ref = read_dump(std::string(TTT_TEST_DATA_DIR) + "/transformer_reference.txt");
  return ref;
}

}  // namespace

TEST_CASE("Softmax transformer matches PyTorch: predictions, loss, parameter gradients", "[models][grad]") {
  const auto& ref = reference();
  Model model(reference_config());
  load_into(model, ref, "param.");
  const Index B = 3, T = 5;
  const AttentionMask mask = mask_from(ref.at("a.mask"), 1);
  ForwardOptions<double> opt;
  opt.mask = &mask;
  Model::Cache cache;
  RowMatrix<double> dpred;
  const RowMatrix<double> pred = model.forward(ref.at("a.tokens"), B, T, cache, opt);
  const double loss = mse_loss<double>(pred, ref.at("a.targets"), &dpred);
  CHECK(max_rel_error(pred, ref.at("a.pred")) <= ttt::test::roundoff(1e3));
  CHECK(std::fabs(loss - ref.at("a.loss")(0, 0)) <= ttt::test::roundoff(1e3) * ref.at("a.loss")(0, 0));
  ColVector<double> g = ColVector<double>::Zero(model.parameter_count());
  model.backward(cache, dpred, g.data());
  check_grads(model, g, ref, "a.grad.");
}

TEST_CASE("Softmax transformer matches PyTorch with a KV prefix: capture, masks, dL/dK and dL/dV", "[models][grad]") {
  const auto& ref = reference();
  Model model(reference_config());
  load_into(model, ref, "param.");
  const Index B = 3, Tp = 3, T = 3, L = 2;
  Model::Cache cache;
  KVCache<double> kv;
  const AttentionMask pmask = mask_from(ref.at("b.prefix_mask"), 1);
  ForwardOptions<double> cap;
  cap.mask = &pmask;
  cap.capture = &kv;
  model.forward(ref.at("b.prefix_tokens"), B, Tp, cache, cap);
  for (Index l = 0; l < L; ++l) {
    CHECK(max_rel_error(kv.keys(l), ref.at("b.kv." + std::to_string(l) + ".k")) <= ttt::test::roundoff(1e3));
    CHECK(max_rel_error(kv.values(l), ref.at("b.kv." + std::to_string(l) + ".v")) <= ttt::test::roundoff(1e3));
  }
  // Use the reference's cache itself, so the comparison below isolates the prefix pass.
  for (Index l = 0; l < L; ++l) {
    kv.keys(l) = ref.at("b.kv." + std::to_string(l) + ".k");
    kv.values(l) = ref.at("b.kv." + std::to_string(l) + ".v");
  }
  const AttentionMask mask = mask_from(ref.at("b.mask"), B);
  ForwardOptions<double> opt;
  opt.prefix = &kv;
  opt.mask = &mask;
  opt.readout = {static_cast<Index>(ref.at("b.readout")(0, 0)), static_cast<Index>(ref.at("b.readout")(0, 1))};
  RowMatrix<double> dpred;
  const RowMatrix<double> pred = model.forward(ref.at("b.tokens"), B, T, cache, opt);
  const double loss = mse_loss<double>(pred, ref.at("b.targets"), &dpred);
  CHECK(max_rel_error(pred, ref.at("b.pred")) <= ttt::test::roundoff(1e3));
  CHECK(std::fabs(loss - ref.at("b.loss")(0, 0)) <= ttt::test::roundoff(1e3) * ref.at("b.loss")(0, 0));
  ColVector<double> g = ColVector<double>::Zero(model.parameter_count());
  KVCache<double> dkv(L, B, Tp, 8);
  model.backward(cache, dpred, g.data(), &dkv);
  check_grads(model, g, ref, "b.grad.");
  for (Index l = 0; l < L; ++l) {
    CHECK(max_rel_error(dkv.keys(l), ref.at("b.dkv." + std::to_string(l) + ".k")) <= ttt::test::roundoff(1e3));
    CHECK(max_rel_error(dkv.values(l), ref.at("b.dkv." + std::to_string(l) + ".v")) <= ttt::test::roundoff(1e3));
  }
}

TEST_CASE("AdamW training trajectory matches PyTorch (10 steps, warm-up, cosine, clipping)", "[models]") {
  const auto& ref = reference();
  Model model(reference_config());
  load_into(model, ref, "param.");
  const Index B = 3, T = 5, steps = 10, warmup = 3;
  const AttentionMask mask = mask_from(ref.at("a.mask"), 1);
  ForwardOptions<double> opt;
  opt.mask = &mask;
  AdamWOptions ao;
  ao.weight_decay = 0.1;
  AdamW<double> adam(model.layout(), ao);
  Model::Cache cache;
  RowMatrix<double> dpred;
  ColVector<double> g(model.parameter_count());
  double lr_sum = 0;
  for (Index t = 0; t < steps; ++t) {
    lr_sum += cosine_warmup_lr(1e-2, t, warmup, steps);
    const double loss = mse_loss<double>(model.forward(ref.at("a.tokens"), B, T, cache, opt), ref.at("a.targets"), &dpred);
    INFO("step " << t);
    CHECK(std::fabs(loss - ref.at("train.loss")(0, t)) <= ttt::test::roundoff(1e4) * ref.at("train.loss")(0, t));
    g.setZero();
    model.backward(cache, dpred, g.data());
    clip_global_norm(g, 0.5);
    adam.step(model.parameters(), g, cosine_warmup_lr(1e-2, t, warmup, steps));
  }
  for (const ParamTensor& t : model.layout().tensors()) {
    INFO(t.name);
    const RowMatrix<double> mine = view(model.parameters().data(), t);
    if (is_key_bias(t.name))
      CHECK((mine - ref.at("train.final." + t.name)).cwiseAbs().maxCoeff() <= lr_sum);
    else
      CHECK(max_rel_error(mine, ref.at("train.final." + t.name)) <= ttt::test::roundoff(1e4));
  }
}
