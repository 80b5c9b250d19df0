# Reference values for tests/test_r_domains.py (issue 12): lonely PSUs in domains as R's svyby
# computes them (survey >= 4.4-1), Korn-Graubard and likelihood intervals for domains of
# calibrated designs, and svyciprop's interval methods (logit, likelihood, asin, beta, mean,
# wilson) on the api designs, overall and by domain.
#
# Needs R survey >= 4.4-1 (the values in r_domains.json come from survey 4.5, built from the
# CRAN sources into a private library). Run from this directory:
#   R_LIBS=/opt/rlib/survey45 Rscript r_domains.R
# Writes r_domains.json. Uses R's bundled api data (data(api)): the same rows as
# tests/data/api/*.csv. Numbers are written with 17 significant digits.
suppressMessages(library(survey))
stopifnot(packageVersion("survey") >= "4.4.1")
data(api)

## ---- a minimal JSON writer (jsonlite is not a dependency) ---------------------------------
num <- function(x) ifelse(is.na(x), "null", sprintf("%.17g", x))
json <- function(x) {
  if (is.null(x)) return("null")
  if (is.list(x)) {
    if (!is.null(names(x)))
      return(paste0("{", paste(sprintf('"%s": %s', names(x), sapply(x, json)), collapse = ", "), "}"))
    return(paste0("[", paste(sapply(x, json), collapse = ",\n "), "]"))
  }
  if (is.character(x) || is.factor(x)) {
    s <- sprintf('"%s"', gsub('"', '\\\\"', as.character(x)))
  } else if (is.logical(x)) {
    s <- ifelse(x, "true", "false")
  } else {
    s <- num(as.numeric(x))
  }
  if (length(x) == 1 && is.null(attr(x, "array"))) s else paste0("[", paste(s, collapse = ", "), "]")
}
arr <- function(x) structure(x, array = TRUE)  # always written as a JSON array

## ---- designs (each named; tests/test_r_domains.py builds the same design by name) -------
# strat_dnum: apiclus1 schools stratified by district (R's tests/lonely.psu.R design);
#             district 413 has a single school
# strat_cname: apistrat schools stratified by county; 13 counties have a single school
# clus2_cname: apiclus2, districts (PSUs) in county strata, schools within districts,
#             with-replacement (pw only); 17 counties have a single district
# clus2_cname_fpc: the same with fpc = ~fpc1 + fpc2 (two-stage variance)
designs <- list(
  strat_dnum = function() svydesign(id = ~1, weights = ~pw, strata = ~dnum, data = apiclus1),
  strat_cname = function() svydesign(id = ~1, weights = ~pw, strata = ~cname, data = apistrat),
  clus2_cname = function() svydesign(id = ~dnum + snum, strata = ~cname, weights = ~pw,
                                     data = apiclus2),
  clus2_cname_fpc = function() svydesign(id = ~dnum + snum, strata = ~cname,
                                         fpc = ~fpc1 + fpc2, data = apiclus2),
  strat = function() svydesign(id = ~1, strata = ~stype, weights = ~pw, fpc = ~fpc,
                               data = apistrat),
  clus1 = function() svydesign(id = ~dnum, weights = ~pw, fpc = ~fpc, data = apiclus1),
  clus2 = function() svydesign(id = ~dnum + snum, fpc = ~fpc1 + fpc2, data = apiclus2)
)
# Calibrated designs: post-stratified to the api population's school types
stype_pop <- data.frame(stype = c("E", "H", "M"), Freq = c(4421, 755, 1018))
designs$strat_dnum_ps <- function() postStratify(designs$strat_dnum(), ~stype, stype_pop)
designs$clus1_ps <- function() postStratify(designs$clus1(), ~stype, stype_pop)
designs$clus2_ps <- function() postStratify(designs$clus2(), ~stype, stype_pop)

FUNS <- list(mean = svymean, total = svytotal)

## ---- 1. lonely PSUs in domains ---------------------------------------------------------
lonely <- list()
add_lonely <- function(design, option, statistic, variable, by, na_rm = FALSE) {
  options(survey.lonely.psu = option)
  d <- designs[[design]]()
  f <- as.formula(paste0("~", variable))
  FUN <- FUNS[[statistic]]
  if (is.null(by)) {
    # whole sample; with na.rm = TRUE R subsets the design to the non-missing rows
    est <- suppressWarnings(FUN(f, d, na.rm = na_rm))
    svyby_est <- coef(est); svyby_se <- SE(est); labels <- "(all)"
    call <- sprintf("%s(%s, %s, na.rm = %s)", deparse(substitute(FUN)), deparse(f), design, na_rm)
    call <- sprintf("svy%s(%s, d, na.rm = %s)", statistic, deparse(f), na_rm)
    keep <- if (na_rm) !is.na(d$variables[[variable]]) else rep(TRUE, nrow(d))
    groups <- list(keep)
  } else {
    byf <- as.formula(paste0("~", by))
    res <- suppressWarnings(svyby(f, byf, d, FUN, na.rm = na_rm))
    svyby_est <- coef(res); svyby_se <- SE(res); labels <- as.character(res[[by]])
    call <- sprintf("svyby(%s, %s, d, svy%s, na.rm = %s)", deparse(f), deparse(byf), statistic,
                    na_rm)
    groups <- lapply(labels, function(l) {
      g <- as.character(d$variables[[by]]) == l
      if (na_rm) g & !is.na(d$variables[[variable]]) else g
    })
  }
  # the full-design convention: each domain on the whole design with zero weight outside it
  # (R >= 4.4-1's d[in_domain, , drop = FALSE]); missing outcomes set to 0 (zero weight)
  full_est <- full_se <- numeric(length(groups))
  d0 <- d
  d0$variables[[variable]][is.na(d0$variables[[variable]])] <- 0
  for (i in seq_along(groups)) {
    e <- suppressWarnings(FUN(f, d0[groups[[i]], , drop = FALSE]))
    full_est[i] <- coef(e); full_se[i] <- SE(e)
  }
  lonely[[length(lonely) + 1]] <<- list(
    design = design, lonely_psu = option, statistic = statistic, variable = variable,
    by = by, na_rm = na_rm, call = call, domains = arr(labels),
    svyby_estimate = arr(svyby_est), svyby_se = arr(svyby_se),
    full_estimate = arr(full_est), full_se = arr(full_se),
    full_call = sprintf("svy%s(%s, d[in_domain, , drop = FALSE])", statistic, deparse(f)))
}
for (option in c("adjust", "average", "remove", "certainty")) {
  for (design in c("strat_dnum", "strat_cname", "clus2_cname", "clus2_cname_fpc")) {
    for (statistic in c("mean", "total")) {
      add_lonely(design, option, statistic, "api00", "stype")
      add_lonely(design, option, statistic, "enroll", "awards", na_rm = TRUE)
    }
  }
  add_lonely("strat_cname", option, "mean", "acs.k3", "awards", na_rm = TRUE)
  add_lonely("strat_cname", option, "mean", "acs.k3", NULL, na_rm = TRUE)
  add_lonely("strat_cname", option, "total", "api00", NULL)
  # calibrated: R's svyby keeps every row (weights zero outside the domain)
  add_lonely("strat_dnum_ps", option, "mean", "api00", "awards")
  add_lonely("strat_dnum_ps", option, "total", "enroll", "stype")
}
options(survey.lonely.psu = "fail")

## ---- 2./3. svyciprop interval methods, overall and by domain --------------------------
ciprop <- list()
add_ci <- function(design, method, variable, value, by = NULL, level = 0.95, df = NULL) {
  d <- designs[[design]]()
  f <- as.formula(sprintf('~I(%s == "%s")', variable, value))
  dfarg <- if (is.null(df)) list() else list(df = df)
  fail <- function(e) {
    message(sprintf("%s %s %s by %s: %s", design, method, variable, by, conditionMessage(e)))
    NULL
  }
  if (is.null(by)) {
    r <- do.call(svyciprop, c(list(f, d, method = method, level = level), dfarg))
    est <- coef(r); ci <- matrix(attr(r, "ci"), nrow = 1); labels <- "(all)"
    se <- sqrt(as.numeric(attr(r, "var")))
    call <- sprintf('svyciprop(%s, d, method = "%s", level = %s%s)', deparse(f), method, level,
                    if (is.null(df)) "" else sprintf(", df = %s", df))
  } else {
    byf <- as.formula(paste0("~", by))
    r <- tryCatch(do.call(svyby, c(list(f, byf, d, svyciprop, method = method, level = level,
                                        vartype = c("se", "ci")), dfarg)), error = fail)
    if (is.null(r)) return(invisible())  # R fails (e.g. a domain with p = 0): no reference
    # the interval svyciprop computed is in columns ci_l, ci_u (confint() of an svyby
    # object would give the Wald interval from the SE instead)
    est <- coef(r); ci <- cbind(r$ci_l, r$ci_u); labels <- as.character(r[[by]])
    se <- SE(r)
    call <- sprintf('svyby(%s, %s, d, svyciprop, method = "%s", level = %s%s, vartype = c("se", "ci"))',
                    deparse(f), deparse(byf), method, level,
                    if (is.null(df)) "" else sprintf(", df = %s", df))
  }
  ciprop[[length(ciprop) + 1]] <<- list(
    design = design, method = method, variable = variable, value = value, by = by,
    level = level, df = if (is.null(df)) "degf" else as.character(df), call = call, domains = arr(labels),
    estimate = arr(est), se = arr(se), low = arr(ci[, 1]), high = arr(ci[, 2]))
}
methods <- c("logit", "likelihood", "asin", "beta", "mean", "wilson")
for (design in c("strat", "clus1", "clus2")) {
  for (method in methods) {
    add_ci(design, method, "sch.wide", "Yes")
    add_ci(design, method, "sch.wide", "Yes", by = "stype")
    add_ci(design, method, "awards", "Yes", by = "stype")
  }
}
for (method in methods) {
  add_ci("clus2", method, "yr.rnd", "Yes", by = "stype")          # Wald leaves [0, 1]
  add_ci("strat", method, "awards", "Yes", level = 0.9)
  add_ci("clus1", method, "awards", "Yes", by = "stype", level = 0.9)
}
for (method in c("likelihood", "asin", "mean")) {
  add_ci("strat", method, "sch.wide", "Yes", df = Inf)
  add_ci("clus2", method, "sch.wide", "Yes", by = "stype", df = Inf)
}
# calibrated designs: R's svyby keeps every row of the sample in each domain, so
# svyciprop(method = "beta") takes nrow(design) = the full sample size
for (design in c("clus1_ps", "clus2_ps")) {
  for (method in c("beta", "likelihood", "logit", "asin", "mean")) {
    add_ci(design, method, "sch.wide", "Yes", by = "stype")
    add_ci(design, method, "sch.wide", "Yes")
  }
}

## ---- R's spline(method = "fmm") on a fixed input (the likelihood interval uses it) ---------
sx <- c(-1.3, -0.4, 0, 0.35, 1.1, 2.0, 2.2)
sy <- c(-2.1, -0.5, 0.1, 0.2, 1.5, 2.9, 3.3)
sp <- spline(sx, sy)

out <- list(
  R_version = R.version.string,
  survey_version = as.character(packageVersion("survey")),
  lonely = lonely,
  ciprop = ciprop,
  spline_fmm = list(x = arr(sx), y = arr(sy), out_x = arr(sp$x), out_y = arr(sp$y))
)
writeLines(json(out), "r_domains.json")
