"""Static weapon-target assignment with a certified gap.

Minimise the expected surviving value plus what the rounds fired cost

    f(x) = Σ_j V_j s_j · Π_i (1 − p_ij)^x_ij + Σ_i c_i Σ_j x_ij,
           Σ_j x_ij ≤ r_i,  x_ij ∈ {0, 1, 2, ...}

(weapon i fires at most r_i rounds). c_i ≥ 0 (``cost``) is the cost of firing one round of
weapon i now — its price in value units plus the value of keeping it for the threats still
coming — and s_j ∈ [0, 1] (``survive_later``) the probability that target j survives the layers
and shots still to come, so V_j s_j is the value this cycle can still save. Without costs firing
never raises f and every round is fired (the classical static WTA); with costs holding is an
option. f stays separable per target, so the Lagrangian bound below extends unchanged: a round
of weapon i costs λ_i + c_i in the target subproblems. This is the static, target-based model
(Murphey 2000) with the look-ahead folded into two coefficients: the value of a round kept and
the chance a later layer still gets its shot — one stage of the shoot-look-shoot decision of
Hosein & Athans, whose second stage enters only through c and s.

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
4. **Many rounds on few targets** (rounds ≥ 2 × targets, the regime of a C2 cycle) **or costs**:
   identical weapons (the same Pk row and cost) are one *type* with its rounds added; each
   target subproblem min_x V_j e^(−Σ_t a_tj x_t) + Σ_t (λ_t + c_t) x_t over the counts of each
   type is solved *exactly* by branch and bound (``subsets``, numba: a node is a set of rounds,
   its children add a round of a later type; bounds from the continuous relaxation and from
   the n largest exponents against the n smallest prices). Beyond ``SMALL_PAIRS`` rounds ×
   targets the start is greedy marginal return with moves and swaps (``subsets.repair``; for
   distinct weapons the linear-assignment start with the exchanges above) and the prices are
   potentials of its exchange graph (``subsets.prices``). The prices improve by subgradient
   ascent on that exact L, in chunks, each step's target minima repaired into an assignment
   (the Lagrangian heuristic); after each chunk the remaining gap Δ = f(incumbent) − L(λ) is
   tried by *reduced-cost column enumeration*: every assignment better than the incumbent
   uses at each target a column within Δ of that target's minimum, so listing those columns
   and solving the set-partitioning problem over them proves the optimum: a short depth-first
   search in numba; then the master LP over those columns (HiGHS; often integral, and then the
   optimum), whose capacity duals are new prices (with them L rises to the Dantzig–Wolfe bound
   and the columns are listed again within the smaller gap) and whose reduced costs price a
   longer search; the HiGHS MILP in reduced costs scaled by Δ last. Column generation on the
   master LP (the Dantzig–Wolfe bound) follows when the ascent is spent. Budgets are counts
   (subgradient steps, LP rounds, columns, search and MILP nodes), never seconds, unless the
   caller gives ``time_limit_s``: the same instance gives the same answer on every machine;
   beyond them the bound found is reported.
5. **Exact mode** (``exact=True`` or a ``time_limit_s``), when the bound has not closed the
   gap: outer approximation — the MILP min Σ_j z_j, z_j ≥ V_j e^(−t)(1 − (y_j − t)) for tangent
   points t, solved by HiGHS through ``scipy.optimize.milp``; each solution adds tangents at its
   own y and the loop stops when the MILP bound (a valid lower bound: tangents under-estimate a
   convex function) meets the best objective found, or at the time limit.

References: R. K. Ahuja, A. Kumar, K. C. Jha, J. B. Orlin, "Exact and heuristic algorithms for the
weapon-target assignment problem", Operations Research 55(6), 2007; A. C. Andersen,
K. Pavlikov, T. A. M. Toffolo, "Weapon-target assignment problem: exact and approximate solution
algorithms", Annals of Operations Research 312, 2022 (outer approximation); M. L. Fisher, "The
Lagrangian relaxation method for solving integer programming problems", Management Science 27(1),
1981 (prices, subgradient steps); M. Frank, P. Wolfe (1956) for the continuous bound;
M. Held, P. Wolfe, H. P. Crowder, "Validation of subgradient optimization", Mathematical
Programming 6, 1974 (the step rule of the ascent); A. M. Geoffrion, "Lagrangean relaxation for
integer programming", Mathematical Programming Study 2, 1974 (the Lagrangian dual equals the
convexified, Dantzig–Wolfe bound); G. B. Dantzig, P. Wolfe, "Decomposition principle for linear
programs", Operations Research 8(1), 1960 (column generation); R. Baldacci, N. Christofides,
A. Mingozzi, "An exact algorithm for the vehicle routing problem based on the set partitioning
formulation with additional cuts", Mathematical Programming 115, 2008 (enumerating the columns
whose reduced cost is within the gap, then solving the master over them); P. A. Hosein,
M. Athans, "Preferential defense strategies. Part I: the static case", MIT Laboratory for
Information and Decision Systems, report LIDS-P-2002, 1990 (static and two-stage defence);
R. A. Murphey, "Target-based weapon target assignment problems", in P. M. Pardalos, L. S.
Pitsoulis (eds.), Nonlinear Assignment Problems, Kluwer, 2000 (target-based objectives).
Page numbers are left out where they could not be checked here.
"""

from skyshield.c2.wta.solver import WTAResult, brute_force, greedy, objective, solve

__all__ = ["WTAResult", "solve", "objective", "brute_force", "greedy"]
