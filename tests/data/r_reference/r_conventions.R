# Reference values for tests/test_r_conventions.py (issue 12: trimming, df = Inf intervals,
# pairwise Cronbach's alpha). Run from this directory:
#   Rscript r_conventions.R
# Writes r_conventions.json. Uses R's bundled api data (data(api)), the same rows as
# tests/data/api/*.csv. Every value is printed with 17 significant digits.
suppressMessages(library(survey))
data(api)
fmt <- function(x) sprintf("%.17g", x)
vec <- function(x) paste0("[", paste(fmt(x), collapse = ", "), "]")
out <- c()
add <- function(name, value) out <<- c(out, sprintf('  "%s": %s', name, value))
str <- function(s) sprintf('"%s"', s)

add("R_version", str(R.version.string))
add("survey_version", str(as.character(packageVersion("survey"))))

## 1. trimWeights: R adds the trimmed excess equally to the untrimmed weights
d <- svydesign(id = ~1, strata = ~stype, weights = ~pw, data = apistrat, fpc = ~fpc)
add("strat_pw", vec(weights(d)))
# trimWeights(d, upper = 40, lower = 16)
add("trim_strat_u40_l16", vec(weights(trimWeights(d, upper = 40, lower = 16))))
# trimWeights(d, upper = 35, lower = 16, strict = FALSE)  (one pass; weights may exceed 35)
add("trim_strat_u35_l16_nonstrict", vec(weights(trimWeights(d, upper = 35, lower = 16, strict = FALSE))))
# trimWeights(d, upper = 35, lower = 16, strict = TRUE)
add("trim_strat_u35_l16_strict", vec(weights(trimWeights(d, upper = 35, lower = 16, strict = TRUE))))
# two-stage cluster design: weights vary
d2 <- svydesign(id = ~dnum + snum, fpc = ~fpc1 + fpc2, data = apiclus2)
add("clus2_pw", vec(weights(d2)))
# trimWeights(d2, upper = 60, lower = 20, strict = FALSE)
add("trim_clus2_u60_l20_nonstrict", vec(weights(trimWeights(d2, upper = 60, lower = 20, strict = FALSE))))
# trimWeights(d2, upper = 60, lower = 20, strict = TRUE)
add("trim_clus2_u60_l20_strict", vec(weights(trimWeights(d2, upper = 60, lower = 20, strict = TRUE))))

## 2. confint: normal (R's default, df = Inf) vs t on degf(d)
m <- svymean(~api00, d)
add("strat_mean_api00", vec(c(coef(m), SE(m))))
add("strat_mean_api00_confint_normal", vec(confint(m)))                 # confint(svymean(~api00, d))
add("strat_mean_api00_confint_degf", vec(confint(m, df = degf(d))))     # confint(..., df = degf(d))
add("strat_degf", fmt(degf(d)))
dc <- svydesign(id = ~dnum, weights = ~pw, data = apiclus1, fpc = ~fpc)
tt <- svytotal(~enroll, dc)
add("clus1_total_enroll_confint_normal", vec(confint(tt)))              # confint(svytotal(~enroll, dc))
add("clus1_total_enroll_confint_degf", vec(confint(tt, df = degf(dc)))) # confint(..., df = degf(dc))
# proportions: svyciprop(~I(sch.wide == "Yes"), d, method = ..., df = Inf)
for (meth in c("logit", "beta")) {
  ci <- svyciprop(~I(sch.wide == "Yes"), d, method = meth, df = Inf)
  add(paste0("strat_prop_schwide_", meth, "_normal"), vec(c(coef(ci), attr(ci, "ci"))))
  ci <- svyciprop(~I(sch.wide == "Yes"), d, method = meth)
  add(paste0("strat_prop_schwide_", meth, "_degf"), vec(c(coef(ci), attr(ci, "ci"))))
}

## 3. Cronbach's alpha on pairwise-complete covariances (psych::alpha's default
## use = "pairwise": alpha = k/(k-1) * (1 - tr(C)/sum(C)), C = cov(x, use = "pairwise"));
## psych is not installed here, so the formula is evaluated directly.
for (cols in list(c("acs.k3", "acs.46", "acs.core"),
                  c("acs.k3", "acs.46", "acs.core", "avg.ed"))) {
  x <- apistrat[, cols]
  C <- cov(x, use = "pairwise.complete.obs")
  k <- ncol(C)
  a <- k / (k - 1) * (1 - sum(diag(C)) / sum(C))
  add(paste0("alpha_pairwise_", paste(cols, collapse = "_")), fmt(a))
  xc <- na.omit(x)
  Cl <- cov(xc)
  add(paste0("alpha_listwise_", paste(cols, collapse = "_")),
      fmt(k / (k - 1) * (1 - sum(diag(Cl)) / sum(Cl))))
}
writeLines(c("{", paste(out, collapse = ",\n"), "}"), "r_conventions.json")
