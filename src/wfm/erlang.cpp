#include "wfm/erlang.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <string>

namespace sb::erlang {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// Queue lengths beyond this mean an overloaded queue with near-infinite patience: the answer would
// be "everyone waits for ages", and walking the chain would take too long to say so.
constexpr int kMaxQueueStates = 10'000'000;

// The neglected tail of the Erlang A chain is bounded by this fraction of the total mass.
constexpr double kTailEpsilon = 1e-17;

std::string fmt(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", x);
  return buf;
}

Status check_load(double load) {
  if (!std::isfinite(load) || load < 0) {
    return Status::invalid_argument("load must be a finite number of erlangs >= 0, got " +
                                    fmt(load));
  }
  return {};
}

Status check_agents(int agents) {
  if (agents < 1 || agents > kMaxAgents) {
    return Status::invalid_argument("agents must be between 1 and " + std::to_string(kMaxAgents) +
                                    ", got " + std::to_string(agents));
  }
  return {};
}

Status check_positive(const char* what, double x) {
  if (!std::isfinite(x) || x <= 0) {
    return Status::invalid_argument(std::string(what) + " must be a finite number > 0, got " +
                                    fmt(x));
  }
  return {};
}

Status check_threshold(double t) {
  if (!std::isfinite(t) || t < 0) {
    return Status::invalid_argument("threshold must be a finite number of seconds >= 0, got " +
                                    fmt(t));
  }
  return {};
}

Status check_fraction(const char* what, double x, bool allow_one) {
  const bool ok = std::isfinite(x) && x > 0 && (allow_one ? x <= 1 : x < 1);
  if (!ok) {
    return Status::invalid_argument(std::string(what) + " must be in (0, " +
                                    (allow_one ? "1]" : "1)") + ", got " + fmt(x));
  }
  return {};
}

Status check_c_input(double load, double aht_s, double threshold_s) {
  SB_RETURN_IF_ERROR(check_load(load));
  SB_RETURN_IF_ERROR(check_positive("AHT (seconds)", aht_s));
  return check_threshold(threshold_s);
}

Status check_goal(const StaffingGoal& goal, bool erlang_a) {
  SB_RETURN_IF_ERROR(check_fraction("target service level", goal.service_level, false));
  if (goal.max_asa_s) SB_RETURN_IF_ERROR(check_positive("max ASA (seconds)", *goal.max_asa_s));
  if (goal.max_occupancy) {
    SB_RETURN_IF_ERROR(check_fraction("max occupancy", *goal.max_occupancy, true));
  }
  if (goal.max_abandon) {
    if (!erlang_a) return Status::invalid_argument("max abandon applies to Erlang A only");
    SB_RETURN_IF_ERROR(check_fraction("max abandon", *goal.max_abandon, true));
  }
  return {};
}

// B(0) = 1, B(n) = A B(n-1) / (n + A B(n-1)): every intermediate value is a probability, so
// nothing overflows, unlike the textbook A^N/N! / sum(A^k/k!).
double blocking(double load, int agents) {
  double b = 1;
  for (int n = 1; n <= agents; ++n) b = load * b / (n + load * b);
  return b;
}

// log(1/B(A, N)). The plain recursion underflows to 0 once A << N (then 1/B = inf); the reciprocal
// obeys 1/B(n) = 1 + (n/A) / B(n-1), which we run in log space with a stable log(1 + e^x).
// REQUIRES: load > 0.
double log_inverse_blocking(double load, int agents) {
  const double b = blocking(load, agents);
  // B is decreasing in n, so a final B well inside the normal range means no step underflowed.
  if (b > 1e-280) return -std::log(b);
  double l = 0;
  for (int n = 1; n <= agents; ++n) {
    const double x = l + std::log(n / load);
    l = x > 0 ? x + std::log1p(std::exp(-x)) : std::log1p(std::exp(x));
  }
  return l;
}

CMetrics erlang_c_from_blocking(double load, int agents, double aht_s, double threshold_s,
                                double b) {
  CMetrics m;
  m.agents = agents;
  const double n = agents;
  if (n <= load) {
    m.stable = false;
    m.p_wait = 1;
    m.service_level = 0;
    m.asa_s = kInf;
    m.wait_if_queued_s = kInf;
    m.occupancy = 1;
    return m;
  }
  // The standard Erlang B -> C conversion; the denominator is > N - A > 0.
  m.p_wait = n * b / (n - load * (1 - b));
  m.service_level = 1 - m.p_wait * std::exp(-(n - load) * threshold_s / aht_s);
  m.wait_if_queued_s = aht_s / (n - load);
  m.asa_s = m.p_wait * m.wait_if_queued_s;
  m.occupancy = load / n;
  return m;
}

bool meets(const CMetrics& m, const StaffingGoal& goal) {
  if (!m.stable) return false;
  if (m.service_level < goal.service_level) return false;
  if (goal.max_asa_s && m.asa_s > *goal.max_asa_s) return false;
  if (goal.max_occupancy && m.occupancy > *goal.max_occupancy) return false;
  return true;
}

bool meets(const AMetrics& m, const StaffingGoal& goal) {
  if (m.service_level < goal.service_level) return false;
  if (goal.max_asa_s && m.asa_s > *goal.max_asa_s) return false;
  if (goal.max_occupancy && m.occupancy > *goal.max_occupancy) return false;
  if (goal.max_abandon && m.p_abandon > *goal.max_abandon) return false;
  return true;
}

Status too_many_queue_states() {
  return Status::resource_exhausted(
      "Erlang A: the load exceeds the agents so much, relative to patience, that more than " +
      std::to_string(kMaxQueueStates) + " queue lengths carry mass; add agents or check the " +
      "patience");
}

// Erlang A, exact. Time is measured in units of AHT, so mu = 1, lambda = A, theta = AHT/patience.
//
// Stationary law. The M/M/N+M chain is birth-death with birth A and death min(n,N) +
// max(n-N,0) theta. Relative to pi_N (r_n = pi_n / pi_N):
//   * below N it is the truncated Poisson of Erlang B, whose mass sum_{n<N} r_n = (N/A) / B(N-1)
//     comes from the stable recursion above (kept in log space: it can be astronomically large);
//   * above N, r_{N+k} = prod_{i=1..k} A / (N + i theta). The ratios fall with k, so once one is
//     below 1 the rest of the tail is bounded by a geometric series; we stop when that bound (also
//     weighted by k, for E[queue]) is below kTailEpsilon of the mass so far. Terms are summed with
//     a running log-scale, since an overloaded queue with patient callers peaks far above pi_N.
//
// Waiting of a tagged arrival that finds j = n - N callers queued (FCFS). With i callers ahead it
// moves up at rate N + i theta (a service completion or an abandonment ahead), and abandons itself
// at rate theta. Conditioning on being served multiplies the survival of each phase, so:
//   * P(served | j) = prod_{i=0..j} (N + i theta) / (N + (i+1) theta) = N / (N + (j+1) theta);
//   * given served, its wait is hypoexponential with rates N + (i+1) theta, i = 0..j, so the mean
//     is sum_{i=0..j} 1 / (N + (i+1) theta);
//   * those rates are theta (c + 1 + i) with c = N / theta: an arithmetic progression, for which
//     the hypoexponential sum is -log(V) / theta with V ~ Beta(c + 1, j + 1) (compare Laplace
//     transforms). Hence P(wait <= T | served, j) = I_{1 - e^{-theta T}}(j + 1, c + 1), and for an
//     integer first parameter that regularised incomplete beta is the upper tail P(K >= j + 1) of
//     a negative binomial K with r = c + 1 "successes" of probability p = e^{-theta T}:
//         q_0 = p^r = e^{-(N + theta) T},  q_m = q_{m-1} (1 - p)(r + m - 1) / m.
//     One pass over j therefore gives every P(wait <= T | served, j) in O(1) each. As theta -> 0,
//     K tends to Poisson(N T) and this becomes the Erlang C (Erlang-k) waiting law.
// An arrival finding n < N is answered at once (PASTA: arrivals see the stationary law), and
//   P(abandon) = theta E[queue] / lambda,  mean wait over all = E[queue] / lambda  (Little),
//   occupancy = lambda (1 - P(abandon)) mu^{-1} / N.
Result<AMetrics> erlang_a_exact(const AInput& in) {
  AMetrics m;
  m.agents = in.agents;
  const double a = in.load_erlangs;
  if (a == 0) {
    m.service_level = 1;
    m.service_level_answered = 1;
    return m;
  }
  const double n = in.agents;
  const double theta = in.aht_s / in.patience_s;
  const double t = in.threshold_s / in.aht_s;

  // log of sum_{k<N} r_k: r_{N-1} = N/A times 1/B(N-1).
  const double log_low = std::log(n / a) + log_inverse_blocking(a, in.agents - 1);

  // The tail grows while A > N + k theta, so it peaks near k = (A - N) / theta; refuse up front
  // rather than walk millions of states to find out.
  if ((a - n) / theta > kMaxQueueStates) return too_many_queue_states();

  // Sums are stored multiplied by e^{-scale}.
  double scale = std::max(0.0, log_low);
  double low = std::exp(log_low - scale);
  double w0 = 0;      // sum r_{N+k}
  double w1 = 0;      // sum k r_{N+k}
  double w_sl = 0;    // sum r_{N+k} P(served, wait <= T | k)
  double w_wait = 0;  // sum r_{N+k} P(served | k) E[wait | served, k]
  double log_r = 0;   // log r_{N+k}

  // Negative binomial state for P(wait <= T | served, k) = 1 - sum_{m<=k} q_m.
  const double y = -std::expm1(-theta * t);  // 1 - p
  const double y_over_theta = theta * t > 1e-300 ? y / theta : t;
  double log_q = -(n + theta) * t;
  double cdf = std::exp(log_q);
  double mean_served_wait = 0;  // sum_{i=0..k} 1 / (N + (i+1) theta)

  for (int k = 0;; ++k) {
    if (k > 0) {
      log_r += std::log(a) - std::log(n + k * theta);
      // (1 - p)(r + k - 1) with r = N/theta + 1, written to stay exact as theta -> 0.
      log_q += std::log((y_over_theta * n + y * k) / k);
      cdf += std::exp(log_q);
    }
    mean_served_wait += 1 / (n + (k + 1) * theta);
    const double p_served = n / (n + (k + 1) * theta);
    const double p_within = std::max(0.0, 1 - cdf);

    if (log_r > scale) {
      const double f = std::exp(scale - log_r);
      low *= f;
      w0 *= f;
      w1 *= f;
      w_sl *= f;
      w_wait *= f;
      scale = log_r;
    }
    const double r = std::exp(log_r - scale);
    w0 += r;
    w1 += k * r;
    w_sl += r * p_served * p_within;
    w_wait += r * p_served * mean_served_wait;

    const double rho = a / (n + (k + 1) * theta);
    if (rho < 1) {
      const double tail_bound = r * rho / (1 - rho) * (k + 1 + 1 / (1 - rho));
      if (tail_bound <= kTailEpsilon * (low + w0)) {
        m.queue_states = k + 1;
        break;
      }
    }
    if (k + 1 >= kMaxQueueStates) return too_many_queue_states();
  }

  const double z = low + w0;
  m.p_wait = w0 / z;
  m.mean_queue_length = w1 / z;
  m.p_abandon = std::min(1.0, theta * m.mean_queue_length / a);
  m.service_level = (low + w_sl) / z;
  const double p_answered = 1 - m.p_abandon;
  m.service_level_answered = p_answered > 0 ? std::min(1.0, m.service_level / p_answered) : 0;
  m.asa_s = p_answered > 0 ? (w_wait / z) / p_answered * in.aht_s : kInf;
  m.mean_wait_all_s = m.mean_queue_length / a * in.aht_s;
  m.occupancy = std::min(1.0, a * p_answered / n);
  return m;
}

Status check_a_input(double load, double aht_s, double patience_s, double threshold_s) {
  SB_RETURN_IF_ERROR(check_c_input(load, aht_s, threshold_s));
  return check_positive("mean patience (seconds)", patience_s);
}

}  // namespace

Result<double> load_from_calls_per_hour(double calls_per_hour, double aht_s) {
  if (!std::isfinite(calls_per_hour) || calls_per_hour < 0) {
    return Status::invalid_argument("calls per hour must be a finite number >= 0, got " +
                                    fmt(calls_per_hour));
  }
  SB_RETURN_IF_ERROR(check_positive("AHT (seconds)", aht_s));
  return calls_per_hour * aht_s / 3600.0;
}

Result<double> erlang_b(double load_erlangs, int agents) {
  SB_RETURN_IF_ERROR(check_load(load_erlangs));
  SB_RETURN_IF_ERROR(check_agents(agents));
  return blocking(load_erlangs, agents);
}

Result<CMetrics> erlang_c(const CInput& in) {
  SB_RETURN_IF_ERROR(check_c_input(in.load_erlangs, in.aht_s, in.threshold_s));
  SB_RETURN_IF_ERROR(check_agents(in.agents));
  return erlang_c_from_blocking(in.load_erlangs, in.agents, in.aht_s, in.threshold_s,
                                blocking(in.load_erlangs, in.agents));
}

Result<AMetrics> erlang_a(const AInput& in) {
  SB_RETURN_IF_ERROR(check_a_input(in.load_erlangs, in.aht_s, in.patience_s, in.threshold_s));
  SB_RETURN_IF_ERROR(check_agents(in.agents));
  return erlang_a_exact(in);
}

Result<CMetrics> agents_for_erlang_c(const CInput& in, const StaffingGoal& goal) {
  SB_RETURN_IF_ERROR(check_c_input(in.load_erlangs, in.aht_s, in.threshold_s));
  SB_RETURN_IF_ERROR(check_goal(goal, false));
  // Every goal improves with N, so scan upwards carrying B(n): O(answer) in total.
  double b = 1;
  for (int n = 1; n <= kMaxAgents; ++n) {
    b = in.load_erlangs * b / (n + in.load_erlangs * b);
    if (n <= in.load_erlangs) continue;
    CMetrics m = erlang_c_from_blocking(in.load_erlangs, n, in.aht_s, in.threshold_s, b);
    if (meets(m, goal)) return m;
  }
  return Status::resource_exhausted("Erlang C: the goal needs more than " +
                                    std::to_string(kMaxAgents) + " agents");
}

Result<AMetrics> agents_for_erlang_a(const AInput& in, const StaffingGoal& goal) {
  SB_RETURN_IF_ERROR(check_a_input(in.load_erlangs, in.aht_s, in.patience_s, in.threshold_s));
  SB_RETURN_IF_ERROR(check_goal(goal, true));
  AInput probe = in;
  auto eval = [&](int agents) {
    probe.agents = agents;
    return erlang_a_exact(probe);
  };
  // Each evaluation costs O(N + queue states), so bracket by doubling and then bisect; all goals
  // are monotone in N (more agents never hurt a caller in M/M/N+M).
  int lo = 0;  // largest count known to fail (0: none tried)
  int hi = std::max(1, static_cast<int>(std::ceil(std::min(in.load_erlangs, 1.0 * kMaxAgents))));
  AMetrics best;
  for (;;) {
    auto m = eval(hi);
    if (!m.ok()) return m.status();
    if (meets(*m, goal)) {
      best = *m;
      break;
    }
    lo = hi;
    if (hi == kMaxAgents) {
      return Status::resource_exhausted("Erlang A: the goal needs more than " +
                                        std::to_string(kMaxAgents) + " agents");
    }
    hi = hi > kMaxAgents / 2 ? kMaxAgents : 2 * hi;
  }
  // The first probe may already succeed well above the answer (abandonment lets N < A meet
  // modest goals), so the lower end is searched too.
  while (hi - lo > 1) {
    const int mid = lo + (hi - lo) / 2;
    auto m = eval(mid);
    if (!m.ok()) return m.status();
    if (meets(*m, goal)) {
      hi = mid;
      best = *m;
    } else {
      lo = mid;
    }
  }
  return best;
}

Result<int> agents_for_erlang_b(double load_erlangs, double max_blocking) {
  SB_RETURN_IF_ERROR(check_load(load_erlangs));
  SB_RETURN_IF_ERROR(check_fraction("max blocking", max_blocking, false));
  double b = 1;
  for (int n = 1; n <= kMaxAgents; ++n) {
    b = load_erlangs * b / (n + load_erlangs * b);
    if (b <= max_blocking) return n;
  }
  return Status::resource_exhausted("Erlang B: the goal needs more than " +
                                    std::to_string(kMaxAgents) + " agents");
}

}  // namespace sb::erlang
