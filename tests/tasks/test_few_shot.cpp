// The few-shot task families (tasks/few_shot.hpp), the cross-entropy read-out (models/losses.hpp, output_dim)
// and in-context pre-training on a family (models/pretrain.hpp).
#include "../models/transformer_fd.hpp"

#include <ttt/models/pretrain.hpp>
#include <ttt/tasks/few_shot.hpp>

#include <catch2/catch.hpp>

#include <set>

using namespace ttt;
using namespace ttt::models;
using ttt::test::fd_error_ratio;
using ttt::test::fd_gradient;
using ttt::test::random_matrix;

namespace {

template <class Family>
void check_family_layout(const Family& f, Index label_slot0, Index label_slots) {
  tasks::FewShotTask<double> a, b;
  f.draw(7, 3, 8, 5, a);
  f.draw(7, 3, 4, 2, b);
  // Demonstration i and query j do not depend on k or q.
  CHECK(a.demos.topRows(4) == b.demos);
  CHECK(a.queries.topRows(2) == b.queries);
  CHECK(a.targets.topRows(2) == b.targets);
  // Same (seed, task): same bytes; another task or seed: different data.
  f.draw(7, 3, 8, 5, b);
  CHECK(a.demos == b.demos);
  f.draw(7, 4, 8, 5, b);
  CHECK(a.demos != b.demos);
  f.draw(8, 3, 8, 5, b);
  CHECK(a.demos != b.demos);
  // Queries and demo-queries have an empty label slot; demonstrations carry the encoded label.
  CHECK(a.queries.middleCols(label_slot0, label_slots).cwiseAbs().maxCoeff() == 0);
  CHECK(a.demo_queries.middleCols(label_slot0, label_slots).cwiseAbs().maxCoeff() == 0);
  CHECK(a.demos.leftCols(label_slot0) == a.demo_queries.leftCols(label_slot0));
  for (Index i = 0; i < a.k(); ++i) {
    if (label_slots == 1) {
      CHECK(a.demos(i, label_slot0) == a.demo_targets(i, 0));
    } else {
      const auto c = class_index(a.demo_targets(i, 0), label_slots);
      CHECK(a.demos.row(i).segment(label_slot0, label_slots).sum() == 1.0);
      CHECK(a.demos(i, label_slot0 + c) == 1.0);
    }
  }
  // A prompt batch is draw(task = prompt index) laid out as [demos; query 0].
  tasks::PromptBatch<double> pb;
  f.prompt_batch(7, 2, 3, 8, pb);
  REQUIRE(pb.tokens.rows() == 3 * 9);
  CHECK(pb.tokens.middleRows(9, 8) == a.demos);
  CHECK(pb.tokens.row(9 + 8) == a.queries.row(0));
  CHECK(pb.targets(1, 0) == a.targets(0, 0));
}

}  // namespace

TEST_CASE("Few-shot families: determinism, independence of k and q, label encoding", "[tasks]") {
  check_family_layout(tasks::LinearRegressionFamily<double>(5, 0.1, {4, 2, 1, 0.5, 0.25}), 5, 1);
  check_family_layout(tasks::TokenRuleFamily<double>(6, 3, 4), 18, 4);
  check_family_layout(tasks::TabularFamily<double>(5, 10), 5, 10);
}

TEST_CASE("Token-rule tasks follow their rule; tabular tasks use 2..C classes", "[tasks]") {
  const tasks::TokenRuleFamily<double> f(5, 4, 3);
  std::set<Index> positions;
  for (std::uint64_t task = 0; task < 40; ++task) {
    const auto rule = f.rule(1, task);
    positions.insert(rule.position);
    tasks::FewShotTask<double> t;
    f.draw(1, task, 20, 20, t);
    for (Index i = 0; i < 20; ++i) {
      Index tok = -1;
      for (Index v = 0; v < 5; ++v)
        if (t.queries(i, rule.position * 5 + v) == 1.0) tok = v;
      REQUIRE(tok >= 0);
      CHECK(t.targets(i, 0) == double(rule.table[std::size_t(tok)]));
      CHECK(t.queries.row(i).head(20).sum() == 4.0);  // one token per position
    }
  }
  CHECK(positions.size() == 4);  // every position is used by some task

  const tasks::TabularFamily<double> tab(4, 6);
  std::set<Index> counts;
  for (std::uint64_t task = 0; task < 60; ++task) {
    const auto rule = tab.rule(2, task);
    counts.insert(rule.classes);
    tasks::FewShotTask<double> t;
    tab.draw(2, task, 30, 0, t);
    CHECK(t.demo_targets.maxCoeff() < double(rule.classes));
    CHECK(t.demo_targets.minCoeff() >= 0.0);
  }
  CHECK(*counts.begin() == 2);
  CHECK(*counts.rbegin() == 6);
}

TEST_CASE("Bad family parameters and labels are rejected", "[tasks]") {
  CHECK_THROWS_AS(tasks::LinearRegressionFamily<double>(0, 0.0), std::invalid_argument);
  CHECK_THROWS_AS(tasks::LinearRegressionFamily<double>(3, 0.0, {1, 1}), std::invalid_argument);
  CHECK_THROWS_AS(tasks::TokenRuleFamily<double>(1, 3, 4), std::invalid_argument);
  CHECK_THROWS_AS(tasks::TabularFamily<double>(3, 1), std::invalid_argument);
  RowMatrix<double> logits = RowMatrix<double>::Zero(1, 3), target(1, 1);
  target(0, 0) = 3;
  CHECK_THROWS_AS(mean_loss<double>(LossKind::cross_entropy, logits, target, 3), std::invalid_argument);
  target(0, 0) = 0.5;
  CHECK_THROWS_AS(mean_loss<double>(LossKind::cross_entropy, logits, target, 3), std::invalid_argument);
}

TEST_CASE("Cross-entropy read-out with C logits: loss value and backward against finite differences",
          "[models][grad]") {
  // Loss of known logits: C = 3, logits (0, log 2, 0), class 1: log(4) - log(2) = log 2.
  RowMatrix<double> logits(1, 3), target(1, 1), dpred;
  logits << 0, std::log(2.0), 0;
  target(0, 0) = 1;
  CHECK(mean_loss<double>(LossKind::cross_entropy, logits, target, 3, &dpred) ==
        Approx(std::log(2.0)).epsilon(1e-15));
  CHECK(dpred(0, 1) == Approx(0.5 - 1.0));
  CHECK(correct_count<double>(logits, target, 3) == 1);

  TransformerConfig c;
  c.input_dim = 4;
  c.width = 8;
  c.layers = 2;
  c.heads = 2;
  c.mlp_ratio = 2;
  c.output_dim = 3;
  Transformer<double, SoftmaxKernel> model(c);
  model.initialize(5);
  model.parameters() += random_matrix(model.parameter_count(), 1, 31, 0.1);
  const Index B = 2, T = 4;
  const RowMatrix<double> tokens = random_matrix(B * T, 4, 32);
  RowMatrix<double> labels(B, 2);
  labels << 0, 2, 1, 1;
  ForwardOptions<double> opt;
  opt.readout = {1, 3};
  Transformer<double, SoftmaxKernel>::Cache cache;
  const auto& pred = model.forward(tokens, B, T, cache, opt);
  REQUIRE(pred.rows() == B);
  REQUIRE(pred.cols() == 2 * 3);
  const auto loss = [&] {
    return mean_loss<double>(LossKind::cross_entropy, model.forward(tokens, B, T, cache, opt), labels, 3);
  };
  mean_loss<double>(LossKind::cross_entropy, model.forward(tokens, B, T, cache, opt), labels, 3, &dpred);
  ColVector<double> grads = ColVector<double>::Zero(model.parameter_count());
  model.backward(cache, dpred, grads.data());
  const ColVector<double> fd = fd_gradient(model.parameters().data(), model.parameter_count(), loss);
  CHECK(fd_error_ratio(grads, fd) <= 1.0);

  // ParallelGradient with the cross-entropy loss: same loss and gradient as the direct computation, for
  // 1 and 2 threads (byte-identical).
  ParallelGradient<double, SoftmaxKernel> pg(model, 1, LossKind::cross_entropy);
  ColVector<double> g1, g2;
  const double l1 = pg.loss_and_gradient(tokens, labels, B, T, opt, g1, 1);
  const double l2 = pg.loss_and_gradient(tokens, labels, B, T, opt, g2, 2);
  CHECK(l1 == l2);
  CHECK(g1 == g2);
  CHECK(l1 == Approx(loss()).epsilon(1e-14));
  CHECK((g1 - grads).cwiseAbs().maxCoeff() < 1e-14);
}

TEST_CASE("Pre-training on the token-rule family learns the rule in context", "[models][tasks]") {
  const tasks::TokenRuleFamily<double> f(4, 2, 2);
  TransformerConfig c;
  c.input_dim = f.input_dim();
  c.output_dim = f.output_dim();
  c.width = 16;
  c.layers = 2;
  c.heads = 2;
  c.mlp_ratio = 2;
  Transformer<double, SoftmaxKernel> model(c);
  model.initialize(3);
  const double before = icl_metric(model, f, 99, 0, 64, 12, 8);
  PretrainOptions o;
  o.steps = 300;
  o.batch = 32;
  o.n_min = 4;
  o.n_max = 12;
  o.lr = 3e-3;
  o.threads = 2;
  const double tail = pretrain(model, f, o);
  const double after = icl_metric(model, f, 99, 0, 64, 12, 8);
  INFO("accuracy before " << before << ", after " << after << ", tail loss " << tail);
  // Chance is 1/2; with 12 demonstrations of 4 tokens x 2 positions the rule is mostly identifiable.
  CHECK(before < 0.65);
  CHECK(after > 0.75);
  CHECK(tail < std::log(2.0));
}
