# Reference values for tests/test_sae.py (issue 12, item 6: Fay-Herriot EBLUP and its MSE).
# Run from this directory with the CRAN package sae (1.3) on the library path:
#   R_LIBS=/path/to/sae/library Rscript fay_herriot.R
# Writes milk.csv (the package's published `milk` data, data(milk) of sae 1.3: fresh-milk
# expenditure by small area, Arora and Lahiri 1997; You and Chapman 2006) and fay_herriot.json.
# The model is the one of the example in ?eblupFH / ?mseFH:
#   eblupFH(yi ~ as.factor(MajorArea), vardir = var, method = ..., data = milk), var = SD^2
# for each method ("REML", "ML", "FH") at sae's default PRECISION = 1e-4 and at 1e-10.
# Every value is printed with 17 significant digits.
suppressMessages(library(sae))
data(milk)
milk$var <- milk$SD^2
write.csv(milk[, c("SmallArea", "ni", "yi", "SD", "CV", "MajorArea")], "milk.csv",
          row.names = FALSE)

fmt <- function(x) sprintf("%.17g", x)
vec <- function(x) paste0("[", paste(fmt(as.numeric(x)), collapse = ", "), "]")
out <- c()
add <- function(name, value) out <<- c(out, sprintf('  "%s": %s', name, value))
str <- function(s) sprintf('"%s"', s)

add("R_version", str(R.version.string))
add("sae_version", str(as.character(packageVersion("sae"))))

for (method in c("REML", "ML", "FH")) {
  for (precision in c(1e-4, 1e-10)) {
    key <- sprintf("milk_%s_%s", method, if (precision == 1e-4) "default" else "1e-10")
    # mseFH(yi ~ as.factor(MajorArea), var, method = method, PRECISION = precision, data = milk)
    r <- mseFH(yi ~ as.factor(MajorArea), var, method = method, PRECISION = precision,
               data = milk)
    fit <- r$est$fit
    add(paste0(key, "_eblup"), vec(r$est$eblup))
    add(paste0(key, "_mse"), vec(r$mse))
    add(paste0(key, "_refvar"), fmt(fit$refvar))
    add(paste0(key, "_iterations"), fmt(fit$iterations))
    add(paste0(key, "_beta"), vec(fit$estcoef$beta))
    add(paste0(key, "_beta_se"), vec(fit$estcoef$std.error))
    add(paste0(key, "_beta_z"), vec(fit$estcoef$tvalue))
    add(paste0(key, "_beta_p"), vec(fit$estcoef$pvalue))
    add(paste0(key, "_goodness"), vec(fit$goodness[c("loglike", "AIC", "BIC")]))
  }
}

# the awareness report's district model, on the inputs frozen in awareness_districts_fh.csv
# (direct estimate and design-based variance of each district, proportion scale, and the
# synthetic district covariates of data/raw/districts/district_covariates.csv)
if (file.exists("awareness_districts_fh.csv")) {
  aw <- read.csv("awareness_districts_fh.csv")
  for (method in c("REML", "ML")) {
    key <- sprintf("awareness_%s", method)
    # mseFH(direct ~ internet_share + elderly_share, variance, method = method, data = aw)
    r <- mseFH(direct ~ internet_share + elderly_share, variance, method = method, data = aw)
    add(paste0(key, "_eblup"), vec(r$est$eblup))
    add(paste0(key, "_mse"), vec(r$mse))
    add(paste0(key, "_refvar"), fmt(r$est$fit$refvar))
    add(paste0(key, "_beta"), vec(r$est$fit$estcoef$beta))
    add(paste0(key, "_beta_se"), vec(r$est$fit$estcoef$std.error))
  }
}

writeLines(c("{", paste(out, collapse = ",\n"), "}"), "fay_herriot.json")
