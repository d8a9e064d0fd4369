package io.edgenpu.scheduler.policy.internal;

import io.edgenpu.scheduler.core.Request;
import io.edgenpu.scheduler.core.Sample;
import io.edgenpu.scheduler.policy.PolicyContext;
import java.util.List;

/** Effective deadlines: the request's own, else arrival + the model's default SLO, else none. */
final class Deadlines {
  private Deadlines() {}

  static long of(Sample s, PolicyContext ctx) {
    Request r = s.request();
    if (r.hasDeadline()) {
      return r.deadlineNanos();
    }
    long slo = ctx.defaultSloNanos();
    return slo > 0 ? r.arrivalNanos() + slo : Long.MAX_VALUE;
  }

  /** Smallest (deadline − now − extraNanos) over samples; +infinity when none has a deadline. */
  static double minSlack(List<Sample> samples, PolicyContext ctx, double extraNanos) {
    double slack = Double.POSITIVE_INFINITY;
    long now = ctx.now();
    for (Sample s : samples) {
      if (s.isMasked()) {
        continue;
      }
      long d = of(s, ctx);
      if (d != Long.MAX_VALUE) {
        slack = Math.min(slack, (double) d - now - extraNanos);
      }
    }
    return slack;
  }
}
