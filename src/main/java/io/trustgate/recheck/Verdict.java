package io.trustgate.recheck;

/** The result of one running image under one policy, as a PolicyReport spells it. */
public enum Verdict {
    /** The digest satisfies the policy now. */
    pass,
    /** It does not, under an Enforce or Audit policy (a broken policy fails what it claims too). */
    fail,
    /** It does not, under a Warn policy. */
    warn,
    /** It could not be checked: an upstream did not answer, or the recheck's bounds were reached. */
    error,
    /** It does not, but an exception exempts it. */
    skip
}
