# Reference values for tests/test_calibration.py (issue 12: raking's two linearisations,
# linear / bounded linear / logit / raking calibration to several margins and to totals of
# continuous auxiliaries, with the calibrated designs' standard errors). Run from this
# directory:
#   Rscript calibration.R
# Writes calibration.json. Uses R's bundled api data (data(api)), the same rows as
# tests/data/api/*.csv; population margins and totals from apipop. Every value is printed
# with 17 significant digits.
suppressMessages(library(survey))
data(api)
fmt <- function(x) sprintf("%.17g", x)
vec <- function(x) paste0("[", paste(fmt(x), collapse = ", "), "]")
out <- c()
add <- function(name, value) out <<- c(out, sprintf('  "%s": %s', name, value))
str <- function(s) sprintf('"%s"', s)

add("R_version", str(R.version.string))
add("survey_version", str(as.character(packageVersion("survey"))))

dstrat <- svydesign(id = ~1, strata = ~stype, weights = ~pw, data = apistrat, fpc = ~fpc)
dclus1 <- svydesign(id = ~dnum, weights = ~pw, data = apiclus1, fpc = ~fpc)
dclus2 <- svydesign(id = ~dnum + snum, fpc = ~fpc1 + fpc2, data = apiclus2)

pop.types <- data.frame(stype = c("E", "H", "M"), Freq = c(4421, 755, 1018))
pop.schwide <- data.frame(sch.wide = c("No", "Yes"), Freq = c(1072, 5122))
pop.imp <- data.frame(comp.imp = c("No", "Yes"), Freq = c(1712, 4482))
pop.awards <- data.frame(awards = c("No", "Yes"), Freq = c(2027, 4167))
pop.both <- data.frame(both = c("No", "Yes"), Freq = c(1789, 4405))
pop.table <- xtabs(~stype + sch.wide, apipop)
N <- nrow(apipop)
T.api99 <- sum(apipop$api99)
add("pop_N", fmt(N))
add("pop_api99", fmt(T.api99))
add("pop_awards", vec(as.vector(table(apipop$awards))))   # No, Yes
add("pop_comp_imp", vec(as.vector(table(apipop$comp.imp))))
add("pop_sch_wide", vec(as.vector(table(apipop$sch.wide))))
add("pop_stype", vec(as.vector(table(apipop$stype))))     # E, H, M
add("pop_both", vec(as.vector(table(apipop$both))))

# The estimates stored for each calibrated design `d` under the name `key`:
#   weights(d); svymean(~api00, d); svytotal(~enroll, d, na.rm = TRUE);
#   svymean(~I(awards == "Yes"), d) (the TRUE column: a proportion);
#   svyciprop(~I(awards == "Yes"), d, method = "logit") (estimate, lower, upper);
#   svyby(~api00, ~comp.imp, d, svymean) and svyby(~enroll, ~comp.imp, d, svytotal,
#   na.rm = TRUE) (domains No, Yes: estimates then SEs).
store <- function(key, d) {
  add(paste0(key, "_weights"), vec(weights(d)))
  m <- svymean(~api00, d)
  add(paste0(key, "_mean_api00"), vec(c(coef(m), SE(m))))
  t <- svytotal(~enroll, d, na.rm = TRUE)
  add(paste0(key, "_total_enroll"), vec(c(coef(t), SE(t))))
  p <- svymean(~I(awards == "Yes"), d)
  add(paste0(key, "_prop_awards"), vec(c(coef(p)[2], SE(p)[2])))
  ci <- svyciprop(~I(awards == "Yes"), d, method = "logit")
  add(paste0(key, "_ciprop_awards_logit"), vec(c(coef(ci), attr(ci, "ci"))))
  b <- svyby(~api00, ~comp.imp, d, svymean)
  add(paste0(key, "_by_compimp_mean_api00"), vec(c(coef(b), SE(b))))
  b <- svyby(~enroll, ~comp.imp, d, svytotal, na.rm = TRUE)
  add(paste0(key, "_by_compimp_total_enroll"), vec(c(coef(b), SE(b))))
}

tight <- list(maxit = 1000, epsilon = 1e-13)

## 1. Raking: rake() (its own linearisation) vs calibrate(calfun = "raking") (GREG)
# rake(dclus2, list(~stype, ~sch.wide), list(pop.types, pop.schwide), control = tight)
store("clus2_rake", rake(dclus2, list(~stype, ~sch.wide), list(pop.types, pop.schwide),
                         control = tight))
# calibrate(dclus2, list(~stype, ~sch.wide), list(pop.types, pop.schwide), calfun = "raking")
store("clus2_calraking", calibrate(dclus2, list(~stype, ~sch.wide),
                                   list(pop.types, pop.schwide), calfun = "raking",
                                   epsilon = 1e-12))
# rake() with R's default control = list(maxit = 10, epsilon = 1)
r <- rake(dclus2, list(~stype, ~sch.wide), list(pop.types, pop.schwide))
store("clus2_rake_default", r)
# stratified design, three margins (weights vary within every margin cell)
# rake(dstrat, list(~stype, ~sch.wide, ~comp.imp), list(pop.types, pop.schwide, pop.imp),
#      control = tight)
store("strat_rake", rake(dstrat, list(~stype, ~sch.wide, ~comp.imp),
                         list(pop.types, pop.schwide, pop.imp), control = tight))
# joint margin: rake(dclus1, list(~stype + sch.wide, ~comp.imp), list(pop.table, pop.imp),
#      control = tight)
store("clus1_rake_joint", rake(dclus1, list(~stype + sch.wide, ~comp.imp),
                               list(pop.table, pop.imp), control = tight))

# calibration steps in sequence (each linearised in turn, as svyrecvar does):
# rake(postStratify(dclus2, ~stype, pop.types), list(~sch.wide, ~comp.imp),
#      list(pop.schwide, pop.imp), control = tight)
store("clus2_ps_then_rake", rake(postStratify(dclus2, ~stype, pop.types),
                                 list(~sch.wide, ~comp.imp), list(pop.schwide, pop.imp),
                                 control = tight))
# calibrate(rake(dclus2, list(~stype, ~sch.wide), list(pop.types, pop.schwide),
#           control = tight), ~api99, c(`(Intercept)` = N, api99 = T.api99))
store("clus2_rake_then_linear", calibrate(rake(dclus2, list(~stype, ~sch.wide),
                                               list(pop.types, pop.schwide), control = tight),
                                          ~api99, c(`(Intercept)` = N, api99 = T.api99)))

## 2. Calibration (calibrate(); epsilon = 1e-12 so that every fit is fully converged)
pop.c2 <- c(`(Intercept)` = N, stypeH = 755, stypeM = 1018, sch.wideYes = 5122,
            api99 = T.api99)
# calibrate(dclus2, ~stype + sch.wide + api99, pop.c2)   (linear: GREG)
store("clus2_linear", calibrate(dclus2, ~stype + sch.wide + api99, pop.c2))
# calibrate(dclus2, ~stype + sch.wide + api99, pop.c2, calfun = "logit", bounds = c(0.4, 2))
store("clus2_logit", calibrate(dclus2, ~stype + sch.wide + api99, pop.c2, calfun = "logit",
                               bounds = c(0.4, 2), epsilon = 1e-12))
# calibrate(dclus2, ~stype + sch.wide + api99, pop.c2, calfun = "linear", bounds = c(0.5, 1.7))
store("clus2_linear_bounded", calibrate(dclus2, ~stype + sch.wide + api99, pop.c2,
                                        calfun = "linear", bounds = c(0.5, 1.7),
                                        epsilon = 1e-12))
# calibrate(dclus2, ~stype + sch.wide + api99, pop.c2, calfun = "raking")
store("clus2_raking_api99", calibrate(dclus2, ~stype + sch.wide + api99, pop.c2,
                                      calfun = "raking", epsilon = 1e-12))
# several categorical margins, list form:
# calibrate(dstrat, list(~stype, ~sch.wide, ~comp.imp), list(pop.types, pop.schwide, pop.imp))
store("strat_linear", calibrate(dstrat, list(~stype, ~sch.wide, ~comp.imp),
                                list(pop.types, pop.schwide, pop.imp)))
# ... calfun = "logit", bounds = c(0.5, 2.5)
store("strat_logit", calibrate(dstrat, list(~stype, ~sch.wide, ~comp.imp),
                               list(pop.types, pop.schwide, pop.imp), calfun = "logit",
                               bounds = c(0.5, 2.5), epsilon = 1e-12))
# joint margin: calibrate(dclus1, list(~stype + sch.wide, ~comp.imp), list(pop.table, pop.imp))
store("clus1_linear_joint", calibrate(dclus1, list(~stype + sch.wide, ~comp.imp),
                                      list(pop.table, pop.imp)))
# auxiliary alone, with the population size: calibrate(dclus1, ~api99,
#   c(`(Intercept)` = N, api99 = T.api99))
store("clus1_linear_api99", calibrate(dclus1, ~api99, c(`(Intercept)` = N, api99 = T.api99)))
# auxiliary alone, no intercept (ratio estimator): calibrate(dclus1, ~api99 - 1, c(api99 = T.api99))
store("clus1_ratio_api99", calibrate(dclus1, ~api99 - 1, c(api99 = T.api99)))
# logit with R's default epsilon = 1e-7:
# calibrate(dclus1, ~stype + api99, pop.c2[c(1:3, 5)], calfun = "logit", bounds = c(0.5, 1.9))
store("clus1_logit_default", calibrate(dclus1, ~stype + api99, pop.c2[c(1, 2, 3, 5)],
                                       calfun = "logit", bounds = c(0.5, 1.9)))

## 3. A calibration that cannot meet its margins: R stops
# calibrate(dclus1, ~stype + api99, ..., calfun = "logit", bounds = c(0.9, 1.1))
r <- try(calibrate(dclus1, ~stype + api99, pop.c2[c(1, 2, 3, 5)], calfun = "logit",
                   bounds = c(0.9, 1.1)), silent = TRUE)
add("clus1_logit_tight_bounds_fails", if (inherits(r, "try-error")) "true" else "false")
# unbounded GREG can give negative weights: calibrate(dclus1, ~api99,
#   c(`(Intercept)` = N, api99 = 1.1 * T.api99)); the number of negative weights and min(g)
g <- weights(calibrate(dclus1, ~api99, c(`(Intercept)` = N, api99 = 1.1 * T.api99))) /
  weights(dclus1)
add("clus1_linear_api99x1.1_negative", vec(c(sum(g < 0), min(g))))
# rake() to margins that cannot hold together (a and b are the same split of the sample):
# R's rake() stops changing after two passes and returns without a warning, missing margin a
df <- data.frame(a = rep(c("x", "y"), c(50, 50)), b = rep(c("u", "v"), c(50, 50)), w = 1)
dd <- svydesign(id = ~1, weights = ~w, data = df)
r <- withCallingHandlers(
  rake(dd, list(~a, ~b), list(data.frame(a = c("x", "y"), Freq = c(100, 400)),
                              data.frame(b = c("u", "v"), Freq = c(450, 50)))),
  warning = function(w) add("rake_infeasible_warning", str(conditionMessage(w))))
add("rake_infeasible_total_a", vec(coef(svytotal(~a, r))))   # svytotal(~a, r): x, y
writeLines(c("{", paste(out, collapse = ",\n"), "}"), "calibration.json")
