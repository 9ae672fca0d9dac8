// ttt/ttt.hpp: umbrella header of the ttt library.
#pragma once

#include <ttt/config.hpp>
#include <ttt/random/philox.hpp>
#include <ttt/random/normal.hpp>
#include <ttt/tasks/covariance.hpp>
#include <ttt/tasks/gaussian_task.hpp>
#include <ttt/models/linear_attention.hpp>
#include <ttt/theory/population_loss.hpp>
#include <ttt/theory/pretrained.hpp>
#include <ttt/theory/one_step_risk.hpp>
#include <ttt/theory/isotropic.hpp>
#include <ttt/theory/alignment.hpp>
#include <ttt/theory/semi_analytic.hpp>
#include <ttt/models/transformer.hpp>
#include <ttt/models/theory_instance.hpp>
#include <ttt/models/regression_prompt.hpp>
#include <ttt/models/parallel_gradient.hpp>
#include <ttt/models/adamw.hpp>
#include <ttt/models/parameter_io.hpp>
