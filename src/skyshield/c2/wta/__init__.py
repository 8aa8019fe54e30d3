"""Static weapon-target assignment with a certified gap.

Minimise the expected surviving value

    f(x) = Σ_j V_j · Π_i (1 − p_ij)^x_ij,   Σ_j x_ij ≤ r_i,  x_ij ∈ {0, 1, 2, ...}

(weapon i fires at most r_i rounds; firing never raises f, so every round is fired).

Method
------
1. **Start**: a linear assignment of weapon-rounds to targets on the first-shot gain V_j·p_ij
   (scipy ``linear_sum_assignment``, exact for one round each and n ≤ m when no target deserves
   two shots); with several rounds per weapon also the rounded continuous relaxation. (Greedy
   maximum marginal return, :func:`greedy`, is the baseline; as a start it never won.)
2. **Improve**: local search over *moves* (one round to another target; all improving moves on
   disjoint targets at once), *swaps* and two-step ejection *chains*, each evaluated for all
   candidates at once from the per-target survival products; when it stalls, *cyclic and path
   exchanges* of any length found by subset-disjoint shortest walks on Ahuja et al.'s
   improvement graph. Then, unless the bound already certifies the answer, randomised restarts
   (the linear-assignment start on noisy gains, descended) for ``search_s`` seconds or
   ``search_kicks`` restarts.
3. **Bound**: Lagrangian relaxation of the weapon constraints. For prices λ_i ≥ 0,
   L(λ) = Σ_j min_S [V_j Π_{k∈S} q_kj + Σ_{k∈S} λ_k] − Σ_i λ_i r_i is a lower bound on every
   feasible objective; the target subproblems are solved exactly over sets of up to two rounds
   and bounded for larger sets, which keeps L far above the continuous relaxation (whose gap is
   6 % on Ahuja-type and 30–36 % on Andersen-type instances, measured). Prices start as
   potentials of the incumbent on the exchange graph and improve by projected subgradient
   steps. On Ahuja-type instances the start alone proves the heuristic's answer optimal.
   (Frank–Wolfe on the continuous relaxation is the fallback bound beyond 2000 rounds.)
4. **Exact mode** (``exact=True`` or a ``time_limit_s``), when the bound has not closed the
   gap: outer approximation — the MILP min Σ_j z_j, z_j ≥ V_j e^(−t)(1 − (y_j − t)) for tangent
   points t, solved by HiGHS through ``scipy.optimize.milp``; each solution adds tangents at its
   own y and the loop stops when the MILP bound (a valid lower bound: tangents under-estimate a
   convex function) meets the best objective found, or at the time limit.

References: R. K. Ahuja, A. Kumar, K. C. Jha, J. B. Orlin, "Exact and heuristic algorithms for the
weapon-target assignment problem", Operations Research 55(6), 2007; A. C. Andersen,
K. Pavlikov, T. A. M. Toffolo, "Weapon-target assignment problem: exact and approximate solution
algorithms", Annals of Operations Research 312, 2022 (outer approximation); M. L. Fisher, "The
Lagrangian relaxation method for solving integer programming problems", Management Science 27(1),
1981 (prices, subgradient steps); M. Frank, P. Wolfe (1956) for the continuous bound.
"""

from skyshield.c2.wta.solver import WTAResult, brute_force, greedy, objective, solve

__all__ = ["WTAResult", "solve", "objective", "brute_force", "greedy"]
