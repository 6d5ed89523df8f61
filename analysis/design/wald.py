"""The design-based Wald tests of independence in a two-way table, and residuals of its cells
that respect the design.

As R survey's svychisq(statistic = "Wald" or "adjWald"): the cells' deviations from independence
in estimated totals, Y_rc = N_rc - N_r. N_.c / N, get their Taylor-linearised covariance V from
the design covariance of the cell totals (svychisq's Jcb var Jcb'); the Wald statistic is
Y' V^-1 Y over the cells outside the first row and first column. "Wald" refers W / d to F on
(d, nu), d = (r-1)(c-1) and nu the design df; the adjusted form (Fellegi 1980, as "adjWald")
refers W (nu - d + 1) / (d nu) to F on (d, nu - d + 1), which holds its level when nu is small.

The design-based residual of a cell is Y_rc / sqrt(V_rc,rc): its deviation from independence in
units of its own design-based standard error, where Haberman's adjusted residual of the weighted
table divides by the variance a simple random sample would have under independence.

Tables are given as domain totals (as a banner holds them): `theta` (C, q) totals of q quantities
in the C columns, `vcov` their (C*q, C*q) covariance, domain-major, and the table's rows as
linear combinations of the quantities (rows of `rows`, (R, q)); a column's total is `base` . theta.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from analysis.design import distributions as dist
from analysis.design import estimation
from analysis.design.sample_design import Design, DesignError
from analysis.design.significance import TestResult

Form = Literal["Wald", "adjWald"]
NAMES = {"Wald": "wald-F", "adjWald": "adjusted-wald-F"}


def select_columns(theta: np.ndarray, vcov: np.ndarray, keep: np.ndarray
                   ) -> tuple[np.ndarray, np.ndarray]:
    """The totals of the columns `keep` (indices) and their covariance."""
    theta = np.asarray(theta)
    c, q = theta.shape
    k = len(keep)
    v = np.asarray(vcov).reshape(c, q, c, q)[keep][:, :, keep]
    return theta[keep], v.reshape(k * q, k * q)


def _parts(theta: np.ndarray, rows: np.ndarray, base: np.ndarray
           ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Y (T, R, C) of T tables, each with its columns' totals (theta (T, C, q)) and rows (rows
    (T, R, q)), and the two factors of its gradient: dY_rc/dtheta_k = alpha_ck u_r, with
    alpha_ck = [c == k] - c_c / n, (T, C, C), and u_r = a_r - (r_r / n) b, (T, R, q)."""
    base = np.asarray(base, dtype=float)
    cells = rows @ theta.transpose(0, 2, 1)  # (T, R, C)
    col = theta @ base  # (T, C)
    n = col.sum(axis=1)
    row = cells.sum(axis=2)
    deviation = cells - row[:, :, None] * col[:, None, :] / n[:, None, None]
    alpha = np.eye(col.shape[1]) - (col / n[:, None])[:, :, None]
    u = rows - (row / n[:, None])[:, :, None] * base
    return deviation, alpha, u


def _left(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """left[t, r, k, l, p] = u[t, r] . V_t[k, :, l, p], (T, R, C, C, q), `v` (T, C, q, C, q)."""
    t, r, q = u.shape
    c = v.shape[1]
    left = u[:, None] @ v.reshape(t, c, q, c * q)  # (T, C, R, C*q)
    return left.reshape(t, c, r, c, q).transpose(0, 2, 1, 3, 4)


def _stack(theta: np.ndarray, vcov: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One table's totals as a stack of one, or a stack as it is: (T, C, q), (T, C, q, C, q)."""
    theta = np.asarray(theta, dtype=float)
    vcov = np.asarray(vcov, dtype=float)
    if theta.ndim == 2:
        theta, vcov = theta[None], vcov[None]
    t, c, q = theta.shape
    return theta, vcov.reshape(t, c, q, c, q)


def residuals(theta: np.ndarray, vcov: np.ndarray, rows: np.ndarray,
              base: np.ndarray) -> np.ndarray:
    """Design-based residuals Y_rc / se(Y_rc) of the table, shaped (R, C); with a stack of
    tables' totals, theta (T, C, q) and vcov (T, C*q, C*q), of each, (T, R, C)."""
    stacked = np.asarray(theta).ndim == 3
    theta, v = _stack(theta, vcov)
    rows = np.broadcast_to(np.asarray(rows, dtype=float), (len(theta), *np.shape(rows)[-2:]))
    deviation, alpha, u = _parts(theta, rows, base)
    same = (_left(u, v) * u[:, :, None, None, :]).sum(axis=4)  # (T, R, C, C): u_r V u_r
    # alpha_c . same_r . alpha_c for every row r and column c
    var = ((alpha[:, None] @ same) * alpha[:, None]).sum(axis=3)
    with np.errstate(divide="ignore", invalid="ignore"):
        found = deviation / np.sqrt(np.where(var > 0, var, np.nan))
    return found if stacked else found[0]


def wald(theta: np.ndarray, vcov: np.ndarray, rows: np.ndarray, base: np.ndarray, *,
         degf: float, form: Form = "adjWald", alpha: float = 0.05) -> TestResult:
    """The Wald test of independence of the table (R's svychisq "Wald" or "adjWald").

    A singular covariance (a cell that cannot vary) or too few design df give NaN, as R's
    figures would be undefined."""
    return wald_tables(theta, vcov, np.asarray(rows, dtype=float)[None], base, degf=degf,
                       form=form, alpha=alpha)[0]


def wald_tables(theta: np.ndarray, vcov: np.ndarray, rows: np.ndarray, base: np.ndarray, *,
                degf: float, form: Form = "adjWald", alpha: float = 0.05) -> list[TestResult]:
    """`wald` of T tables of one shape at once, their rows `rows` (T, R, q), over the same
    columns (theta (C, q), vcov (C*q, C*q)) or each over its own (theta (T, C, q), vcov (T,
    C*q, C*q)): a banner's tables of every option and every group in one pass."""
    if form not in NAMES:
        raise ValueError(f"form must be 'Wald' or 'adjWald', not {form!r}")
    rows = np.asarray(rows, dtype=float)
    theta, v = _stack(theta, vcov)
    if len(theta) == 1 < len(rows):
        theta, v = np.broadcast_to(theta, (len(rows), *theta.shape[1:])), \
            np.broadcast_to(v, (len(rows), *v.shape[1:]))
    deviation, grad, u = _parts(theta, rows, base)
    n_tables, n_rows, n_cols = deviation.shape
    left = _left(u[:, 1:], v)  # (T, R-1, C, C, q)
    r, c, q = n_rows - 1, n_cols, left.shape[4]
    inner = (left.reshape(n_tables, r * c * c, q) @ u[:, 1:].transpose(0, 2, 1)).reshape(
        n_tables, r, c, c, r).transpose(0, 1, 2, 4, 3)  # (T, R-1, C, R-1, C): u_r V_kl u_s
    g = grad[:, 1:]  # (T, C-1, C)
    x = inner @ g.transpose(0, 2, 1)[:, None, None]  # (T, R-1, C, R-1, C-1)
    d = r * (c - 1)
    cov = (g[:, None] @ x.reshape(n_tables, r, c, d)).reshape(n_tables, d, d)
    y = deviation[:, 1:, 1:].reshape(n_tables, d)
    w = np.full(n_tables, np.nan)
    try:
        w = (y * np.linalg.solve(cov, y[:, :, None])[:, :, 0]).sum(axis=1)
    except np.linalg.LinAlgError:  # some table is singular: each on its own
        for t in range(n_tables):
            try:
                w[t] = y[t] @ np.linalg.solve(cov[t], y[t])
            except np.linalg.LinAlgError:
                w[t] = np.nan
    if form == "Wald":
        f, ddf = w / d, float(degf)
    else:
        ddf = float(degf - d + 1)
        f = w * ddf / (d * degf) if ddf > 0 else np.full(n_tables, np.nan)
    p = np.atleast_1d(dist.f_sf(f, d, ddf)) if ddf > 0 else np.full(n_tables, np.nan)
    return [TestResult(NAMES[form], float(f[t]), float(d), float(p[t]), alpha, ddf=ddf)
            for t in range(n_tables)]


def _table(design: Design, row: str | pd.Series | np.ndarray,
           column: str | pd.Series | np.ndarray) -> tuple[estimation.Estimates, tuple, tuple]:
    """The cell totals of a two-way table by column, with their covariance, over the respondents
    with both values; levels are those each variable has (svychisq's factor(...))."""
    r_codes, r_labels, _ = estimation.domains(design, row)
    c_codes, c_labels, _ = estimation.domains(design, column)
    if len(r_labels) < 2 or len(c_labels) < 2:
        raise DesignError("a test of independence needs at least two levels of each variable")
    both = (r_codes >= 0) & (c_codes >= 0)
    cells = estimation.proportions(
        design, pd.Categorical.from_codes(np.where(both, r_codes, -1), range(len(r_labels))),
        by=pd.Categorical.from_codes(np.where(both, c_codes, -1), range(len(c_labels))),
        counts=True, covariance=True)
    if len(cells.domains) != len(c_labels):
        raise DesignError("every column level needs respondents who answered the row too")
    return cells, r_labels, c_labels


def wald_test(design: Design, row: str | pd.Series | np.ndarray,
              column: str | pd.Series | np.ndarray, *, form: Form = "adjWald",
              alpha: float = 0.05) -> TestResult:
    """Design-based Wald test of independence of two categorical variables, as R's
    svychisq(~row + column, design, statistic = "adjWald" (default) or "Wald")."""
    cells, r_labels, _ = _table(design, row, column)
    k = len(r_labels)
    return wald(cells.estimate, np.asarray(cells.vcov), np.eye(k), np.ones(k),
                degf=design.degf, form=form, alpha=alpha)


def design_residuals(design: Design, row: str | pd.Series | np.ndarray,
                     column: str | pd.Series | np.ndarray) -> pd.DataFrame:
    """The design-based residual of every cell of the table: rows are the row variable's
    levels, columns the column variable's."""
    cells, r_labels, c_labels = _table(design, row, column)
    k = len(r_labels)
    found = residuals(cells.estimate, np.asarray(cells.vcov), np.eye(k), np.ones(k))
    return pd.DataFrame(found, index=list(r_labels), columns=list(c_labels))
