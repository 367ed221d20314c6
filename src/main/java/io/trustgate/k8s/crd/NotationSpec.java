package io.trustgate.k8s.crd;

import com.fasterxml.jackson.annotation.JsonInclude;

/** Turns the Notation signature source on ({@code spec.notation: {}}). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class NotationSpec {}
