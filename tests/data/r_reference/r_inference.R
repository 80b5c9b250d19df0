# Reference values for tests/test_inference.py (issue 12 item 5: quantiles with Woodruff
# intervals, ratios, Rao-Scott tests of association). Run from this directory with survey 4.5
# (built from the CRAN source into a private library):
#   SURVEY_LIB=/opt/rlib/survey45 Rscript r_inference.R
# Writes r_inference.json. Debian's r-cran-survey 4.1-1 (plain `Rscript r_inference.R`) gives
# the same values except three domain quantiles (qdom_clus1_H_math, qdom_clus2_M_math,
# qdom_clus1ps_H_math), where a Woodruff bound falls below the first cumulative weight share:
# 4.1-1's qrule "math" returns the second-smallest value there, 4.5 the smallest.
# Uses R's bundled api data (data(api)), the same rows as tests/data/api/*.csv. Every value
# is printed with 17 significant digits.
suppressMessages(library(survey, lib.loc = Sys.getenv("SURVEY_LIB", unset = .libPaths()[1])))
data(api)
fmt <- function(x) ifelse(is.na(x), "null", sprintf("%.17g", x))
vec <- function(x) paste0("[", paste(fmt(as.vector(x)), collapse = ", "), "]")
out <- c()
add <- function(name, value) out <<- c(out, sprintf('  "%s": %s', name, value))
str <- function(s) sprintf('"%s"', s)
add("R_version", str(R.version.string))
add("survey_version", str(as.character(packageVersion("survey"))))

designs <- list(
  strat = svydesign(id = ~1, strata = ~stype, weights = ~pw, data = apistrat, fpc = ~fpc),
  clus1 = svydesign(id = ~dnum, weights = ~pw, data = apiclus1, fpc = ~fpc),
  clus2 = svydesign(id = ~dnum + snum, fpc = ~fpc1 + fpc2, data = apiclus2)
)
# post-stratified one-stage cluster design (Lumley 2010, ch. 7)
pop.types <- data.frame(stype = c("E", "H", "M"), Freq = c(4421, 755, 1018))
designs$clus1ps <- postStratify(designs$clus1, ~stype, pop.types)

probs <- c(0.1, 0.25, 0.5, 0.75, 0.9)
# quantile: [estimate, ci_low, ci_high, se] for each p
q <- function(d, rule, type, alpha = 0.05, df = NULL) {
  r <- svyquantile(~api00, d, probs, qrule = rule, interval.type = type, alpha = alpha, df = df)
  as.vector(t(r$api00))
}
for (nm in names(designs)) {
  d <- designs[[nm]]
  # svyquantile(~api00, d, probs, qrule = RULE, interval.type = "mean")
  for (rule in c("math", "school", "shahvaish", paste0("hf", 1:9)))
    add(sprintf("q_%s_%s_mean", nm, rule), vec(q(d, rule, "mean")))
  # svyquantile(~api00, d, probs, qrule = "math", interval.type = TYPE)
  for (type in c("xlogit", "asin", "beta"))
    add(sprintf("q_%s_math_%s", nm, type), vec(q(d, "math", type)))
  # svyquantile(~api00, d, probs, qrule = "hf7", alpha = 0.1, df = Inf)
  add(sprintf("q_%s_hf7_mean_a10_dfinf", nm), vec(q(d, "hf7", "mean", 0.1, Inf)))
  # domains: svyquantile(~api00, subset(d, stype == S), c(.25, .5), qrule = RULE) (= svyby)
  for (s in c("E", "H", "M")) {
    ds <- subset(d, stype == s)
    for (rule in c("math", "hf7")) {
      r <- svyquantile(~api00, ds, c(0.25, 0.5), qrule = rule, interval.type = "mean")
      add(sprintf("qdom_%s_%s_%s", nm, s, rule), vec(t(r$api00)))
    }
  }
  # ratio: svyratio(~api.stu, ~enroll, d, na.rm = TRUE): [ratio, se, confint(df = degf(d[ok, ]))]
  # (enroll is missing for a few apiclus2 schools)
  r <- svyratio(~api.stu, ~enroll, d, na.rm = TRUE)
  ok <- !is.na(d$variables$enroll)  # the rows svyratio keeps; their degf gives the t interval
  add(sprintf("ratio_%s", nm), vec(c(coef(r), SE(r), confint(r, df = degf(d[ok, ])))))
  # svyby(~api.stu, ~stype, denominator = ~enroll, design = d, FUN = svyratio, na.rm = TRUE)
  rb <- svyby(~api.stu, ~stype, denominator = ~enroll, design = d, FUN = svyratio, na.rm = TRUE)
  add(sprintf("ratio_by_stype_%s", nm), vec(c(coef(rb), SE(rb))))
  # Rao-Scott / Wald tests: svychisq(~sch.wide + stype, d, statistic = S)
  for (stat in c("F", "Chisq", "Wald", "adjWald")) {
    for (f in c("sch.wide", "comp.imp")) {
      t <- svychisq(as.formula(paste0("~", f, " + stype")), d, statistic = stat)
      add(sprintf("chisq_%s_%s_%s", nm, f, stat),
          vec(c(t$statistic, t$parameter, t$p.value)))
    }
  }
}
# a 4 x 3 table: awards x stype crossed with a 4-level cut of meals
apistrat$meals4 <- cut(apistrat$meals, c(-1, 25, 50, 75, 100))
d4 <- svydesign(id = ~1, strata = ~stype, weights = ~pw, data = apistrat, fpc = ~fpc)
for (stat in c("F", "Chisq", "Wald", "adjWald")) {
  t <- svychisq(~meals4 + stype, d4, statistic = stat)
  add(sprintf("chisq_strat_meals4_%s", stat), vec(c(t$statistic, t$parameter, t$p.value)))
}
# within a subpopulation: both variables set to NA outside it (svychisq's na.rm = TRUE
# then subsets the design as R's svymean(..., na.rm = TRUE) does)
for (nm in c("strat", "clus1ps")) {
  dn <- update(designs[[nm]],
               sw = ifelse(stype == "H", NA, as.character(sch.wide)),
               st = ifelse(stype == "H", NA, as.character(stype)))
  for (stat in c("F", "Chisq")) {
    t <- svychisq(~sw + st, dn, statistic = stat)
    add(sprintf("chisq_%s_noH_%s", nm, stat), vec(c(t$statistic, t$parameter, t$p.value)))
  }
}
# calibrated designs: rake()'s own linearisation, and GREG with a numeric auxiliary
tight <- list(maxit = 1000, epsilon = 1e-13)
pop.schwide <- data.frame(sch.wide = c("No", "Yes"), Freq = c(1072, 5122))
cal <- list(
  # rake(clus2, list(~stype, ~sch.wide), list(pop.types, pop.schwide), control = tight)
  rake2 = rake(designs$clus2, list(~stype, ~sch.wide), list(pop.types, pop.schwide),
               control = tight),
  # calibrate(clus1, ~stype + api99, c(`(Intercept)` = 6194, stypeH = 755, stypeM = 1018,
  #           api99 = sum(apipop$api99)))
  greg1 = calibrate(designs$clus1, ~stype + api99,
                    c(`(Intercept)` = 6194, stypeH = 755, stypeM = 1018,
                      api99 = sum(apipop$api99)))
)
for (nm in names(cal)) {
  d <- cal[[nm]]
  for (stat in c("F", "Chisq", "Wald")) {
    t <- svychisq(~comp.imp + awards, d, statistic = stat)
    add(sprintf("chisq_%s_%s", nm, stat), vec(c(t$statistic, t$parameter, t$p.value)))
  }
  # svyquantile(~api00, d, probs, qrule = "hf7", interval.type = "mean")
  add(sprintf("q_%s_hf7_mean", nm), vec(q(d, "hf7", "mean")))
  r <- svyratio(~api.stu, ~enroll, d, na.rm = TRUE)
  add(sprintf("ratio_%s", nm), vec(c(coef(r), SE(r))))
}
# lonely PSUs: two-stage design stratified by county (many counties have one district), under
# options(survey.lonely.psu = "adjust" / "average"); domains as R >= 4.4-1's svyby
for (opt in c("adjust", "average")) {
  options(survey.lonely.psu = opt)
  # svydesign(id = ~dnum + snum, strata = ~cname, fpc = ~fpc1 + fpc2, data = apiclus2)
  d <- svydesign(id = ~dnum + snum, strata = ~cname, fpc = ~fpc1 + fpc2, data = apiclus2)
  for (s in c("E", "H", "M")) {
    # svyquantile(~api00, subset(d, stype == S), c(.25, .5), qrule = "math")
    r <- suppressWarnings(svyquantile(~api00, subset(d, stype == s), c(0.25, 0.5),
                                      qrule = "math"))
    add(sprintf("lonely_%s_qdom_%s", opt, s), vec(t(r$api00)))
  }
  # svyby(~api.stu, ~stype, denominator = ~enroll, design = d, FUN = svyratio, na.rm = TRUE)
  rb <- suppressWarnings(svyby(~api.stu, ~stype, denominator = ~enroll, design = d,
                               FUN = svyratio, na.rm = TRUE))
  add(sprintf("lonely_%s_ratio_by", opt), vec(c(coef(rb), SE(rb))))
  for (stat in c("F", "Chisq", "Wald")) {
    # svychisq(~sch.wide + stype, d, statistic = S)
    t <- suppressWarnings(svychisq(~sch.wide + stype, d, statistic = stat))
    add(sprintf("lonely_%s_chisq_%s", opt, stat), vec(c(t$statistic, t$parameter, t$p.value)))
  }
  # within the H and M schools: both variables NA for E (svychisq's na.rm subsets the design)
  dn <- update(d, sw = ifelse(stype == "E", NA, as.character(sch.wide)),
               st = ifelse(stype == "E", NA, as.character(stype)))
  for (stat in c("F", "Chisq")) {
    t <- suppressWarnings(svychisq(~sw + st, dn, statistic = stat))
    add(sprintf("lonely_%s_chisq_noE_%s", opt, stat),
        vec(c(t$statistic, t$parameter, t$p.value)))
  }
}
options(survey.lonely.psu = "fail")
writeLines(c("{", paste(out, collapse = ",\n"), "}"), "r_inference.json")
