# Reference values for tests/test_replicate.py (issue 12 item 4: replicate-weight designs).
# Run from this directory:
#   Rscript replicate.R
# Writes replicate.json and the replicate-weight files replicate_*.csv. Uses R's bundled api
# data (data(api)), the same rows as tests/data/api/*.csv. Produced with R 4.2.2 and survey
# 4.1-1 (both recorded in the JSON). Every value is printed with 17 significant digits.
suppressMessages(library(survey))
data(api)
options(warn = -1)  # as.svrepdesign warns that fpcs are dropped for BRR/Fay and stage 2
fmt <- function(x) ifelse(is.na(x), "null", sprintf("%.17g", x))
vec <- function(x) paste0("[", paste(fmt(as.numeric(x)), collapse = ", "), "]")
mat <- function(m) paste0("[", paste(apply(m, 1, vec), collapse = ", "), "]")
strs <- function(s) paste0("[", paste(sprintf('"%s"', s), collapse = ", "), "]")
out <- c()
add <- function(name, value) out <<- c(out, sprintf('  "%s": %s', name, value))
str <- function(s) sprintf('"%s"', s)
# a CSV whose numbers read back as the same doubles (17 significant digits)
write_exact <- function(frame, file) {
  frame[] <- lapply(frame, function(col) sprintf("%.17g", col))
  write.csv(frame, file, row.names = FALSE, quote = FALSE)
}

add("R_version", str(R.version.string))
add("survey_version", str(as.character(packageVersion("survey"))))

dstrat <- svydesign(id = ~1, strata = ~stype, weights = ~pw, data = apistrat, fpc = ~fpc)
dclus1 <- svydesign(id = ~dnum, weights = ~pw, data = apiclus1, fpc = ~fpc)
dclus2 <- svydesign(id = ~dnum + snum, fpc = ~fpc1 + fpc2, data = apiclus2)
# the weights as R holds them (tests/data/api/*.csv round them to 10 digits, which can move
# a quantile when a weighted share meets p exactly)
add("strat_pw", vec(apistrat$pw))
add("clus1_pw", vec(apiclus1$pw))

# Estimates on one replicate design `rd`, stored under the prefix `p`.
estimates <- function(p, rd) {
  add(paste0(p, "_scale"), fmt(rd$scale))
  add(paste0(p, "_rscales"), vec(rd$rscales))
  add(paste0(p, "_degf"), fmt(degf(rd)))
  add(paste0(p, "_nrep"), fmt(ncol(weights(rd, "analysis"))))
  # svymean(~api00, rd, deff = TRUE); confint(m, df = degf(rd)); confint(m) (normal)
  m <- svymean(~api00, rd, deff = TRUE)
  add(paste0(p, "_mean_api00"), vec(c(coef(m), SE(m), confint(m, df = degf(rd)),
                                       confint(m), deff(m))))
  # svytotal(~enroll, rd, na.rm = TRUE, deff = TRUE)
  t <- svytotal(~enroll, rd, na.rm = TRUE, deff = TRUE)
  add(paste0(p, "_total_enroll"), vec(c(coef(t), SE(t), confint(t, df = degf(rd)), deff(t))))
  # svymean(~I(sch.wide == "Yes"), rd) and svyciprop(~I(sch.wide == "Yes"), rd, method = ...)
  pm <- svymean(~I(as.numeric(sch.wide == "Yes")), rd)
  add(paste0(p, "_prop_schwide"), vec(c(coef(pm), SE(pm))))
  for (meth in c("logit", "beta", "mean", "xlogit", "asin")) {
    ci <- svyciprop(~I(sch.wide == "Yes"), rd, method = meth)
    add(paste0(p, "_prop_schwide_", meth), vec(c(coef(ci), attr(ci, "ci"))))
  }
  # svyby(~api00, ~stype, rd, svymean); svyby(~enroll, ~stype, rd, svytotal, na.rm = TRUE)
  b <- svyby(~api00, ~stype, rd, svymean)
  add(paste0(p, "_by_stype_levels"), strs(as.character(b$stype)))
  add(paste0(p, "_by_stype_mean_api00"), vec(c(coef(b), SE(b))))
  b <- svyby(~enroll, ~stype, rd, svytotal, na.rm = TRUE)
  add(paste0(p, "_by_stype_total_enroll"), vec(c(coef(b), SE(b))))
  b <- svyby(~I(as.numeric(sch.wide == "Yes")), ~stype, rd, svymean)
  add(paste0(p, "_by_stype_prop_schwide"), vec(c(coef(b), SE(b))))
  # degf(subset(rd, stype == s)): the df of each domain as svyby's subsets have them
  add(paste0(p, "_by_stype_degf"),
      vec(sapply(as.character(b$stype), function(s) degf(subset(rd, stype == s)))))
  # svyby(~I(sch.wide == "Yes"), ~stype, rd, svyciprop, vartype = "ci", method = ...)
  for (meth in c("logit", "beta")) {
    b <- svyby(~I(sch.wide == "Yes"), ~stype, rd, svyciprop, vartype = "ci", method = meth)
    add(paste0(p, "_by_stype_ciprop_", meth), vec(c(coef(b), b$ci_l, b$ci_u)))
  }
  # svyby(~api00, ~stype, rd, svyquantile, quantiles = 0.5, interval.type = ...)
  for (it in c("mean", "quantile")) {
    b <- svyby(~api00, ~stype, rd, svyquantile, quantiles = 0.5, interval.type = it)
    add(paste0(p, "_by_stype_median_api00_", it), vec(c(coef(b), SE(b))))
  }
  # svyquantile(~enroll, rd, 0.5, na.rm = TRUE, interval.type = "quantile")
  q <- svyquantile(~enroll, rd, 0.5, na.rm = TRUE, interval.type = "quantile")$enroll
  add(paste0(p, "_median_enroll_narm"), vec(q))
  # svyquantile(~api00, rd, c(0.1, 0.5, 0.9), interval.type = ..., qrule = ...)
  for (it in c("mean", "quantile")) for (qr in c("math", "school")) {
    q <- svyquantile(~api00, rd, c(0.1, 0.5, 0.9), interval.type = it, qrule = qr)$api00
    add(paste0(p, "_quantile_api00_", it, "_", qr), mat(q))
  }
}

## constructed from a linearisation design: as.svrepdesign(design, type = ...)
estimates("strat_JKn", as.svrepdesign(dstrat, type = "JKn"))
brr <- as.svrepdesign(dstrat, type = "BRR")
add("strat_BRR_factors", mat(brr$repweights$weights))
estimates("strat_BRR", brr)
fay <- as.svrepdesign(dstrat, type = "Fay", fay.rho = 0.3)
add("strat_Fay_factors", mat(fay$repweights$weights))
estimates("strat_Fay", fay)
estimates("strat_BRR_mse", as.svrepdesign(dstrat, type = "BRR", mse = TRUE))
estimates("clus1_JK1", as.svrepdesign(dclus1, type = "JK1"))
estimates("clus1_JK1_mse", as.svrepdesign(dclus1, type = "JK1", mse = TRUE))
estimates("clus2_JK1", as.svrepdesign(dclus2, type = "JK1"))
# an unfpc'd stratified design: jackknife without finite-population factors
estimates("strat_nofpc_JKn", as.svrepdesign(svydesign(id = ~1, strata = ~stype, weights = ~pw,
                                                       data = apistrat), type = "JKn"))

## JKn with a stratum of one PSU, under each options(survey.lonely.psu = ...):
## apistrat without fpc, keeping only the first high school
lonely <- apistrat[apistrat$stype != "H" | !duplicated(apistrat$stype), ]
for (opt in c("remove", "certainty", "adjust", "average")) {
  options(survey.lonely.psu = opt)
  rd <- as.svrepdesign(svydesign(id = ~1, strata = ~stype, weights = ~pw, data = lonely),
                       type = "JKn")
  p <- paste0("lonely_", opt, "_JKn")
  add(paste0(p, "_scale"), fmt(rd$scale))
  add(paste0(p, "_degf"), fmt(degf(rd)))
  add(paste0(p, "_nrep"), fmt(ncol(weights(rd, "analysis"))))
  m <- svymean(~api00, rd)
  add(paste0(p, "_mean_api00"), vec(c(coef(m), SE(m))))
  t <- svytotal(~enroll, rd)
  add(paste0(p, "_total_enroll"), vec(c(coef(t), SE(t))))
}
options(survey.lonely.psu = "fail")

## bootstrap: random in R, so the replicate weights are exported and read back
boot <- function(p, design, data, seed) {
  set.seed(seed)
  rd <- as.svrepdesign(design, type = "bootstrap", replicates = 50)
  # the resampling counts of each row's PSU (replicate factors, combined.weights = FALSE)
  w <- rd$repweights$weights[rd$repweights$index, ]
  colnames(w) <- sprintf("boot%02d", seq_len(ncol(w)))
  write_exact(cbind(data.frame(row = seq_len(nrow(data)), pw = weights(design)), w),
              paste0("replicate_", p, "_weights.csv"))
  estimates(p, rd)
}
boot("strat_bootstrap", dstrat, apistrat, 20261)
boot("clus1_bootstrap", dclus1, apiclus1, 20262)
boot("clus2_bootstrap", dclus2, apiclus2, 20263)

## read from replicate-weight columns an agency supplies: svrepdesign(repweights = ...)
# JK1 combined weights of the api one-stage cluster sample, scale (R - 1) / R
jk <- as.svrepdesign(svydesign(id = ~dnum, weights = ~pw, data = apiclus1), type = "JK1")
w <- weights(jk, "analysis")
colnames(w) <- sprintf("jk%02d", seq_len(ncol(w)))
write_exact(cbind(data.frame(row = seq_len(nrow(apiclus1)), pw = apiclus1$pw), w),
            "replicate_clus1_jk1_weights.csv")
rd <- svrepdesign(data = cbind(apiclus1, w), repweights = "jk[0-9]+", weights = ~pw,
                  type = "JK1", scale = 14 / 15, combined.weights = TRUE)
estimates("read_clus1_JK1", rd)
# Fay's BRR (rho = 0.3) of the stratified sample as factors (combined.weights = FALSE)
f <- fay$repweights$weights[fay$repweights$index, ]
colnames(f) <- sprintf("fay%03d", seq_len(ncol(f)))
rd <- svrepdesign(data = cbind(apistrat, f), repweights = "fay[0-9]+", weights = ~pw,
                  type = "Fay", rho = 0.3, combined.weights = FALSE)
estimates("read_strat_Fay", rd)
# JKn combined weights with their rscales
jkn <- as.svrepdesign(dstrat, type = "JKn")
w <- weights(jkn, "analysis")
colnames(w) <- sprintf("jkn%03d", seq_len(ncol(w)))
rd <- svrepdesign(data = cbind(apistrat, w), repweights = "jkn[0-9]+", weights = ~pw,
                  type = "JKn", rscales = jkn$rscales, combined.weights = TRUE)
estimates("read_strat_JKn", rd)

## Hadamard matrices of survey:::hadamard(n) (0/1 coded), for brrweights
for (n in c(1, 2, 3, 4, 5, 7, 8, 9, 11, 12, 15, 16, 19, 20, 23, 31, 40, 43, 47, 50, 63, 64,
            70, 79, 100, 120, 127, 200)) {
  # one string of 0/1 digits per row
  add(sprintf("hadamard_%d", n), strs(apply(hadamard(n), 1, paste, collapse = "")))
}
writeLines(c("{", paste(out, collapse = ",\n"), "}"), "replicate.json")
