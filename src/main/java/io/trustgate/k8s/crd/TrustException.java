package io.trustgate.k8s.crd;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * A time-boxed waiver: in its own namespace, until it expires, the images it names are admitted without the checks of
 * the policies it names (when those policies allow exceptions). Granted with its own RBAC, separate from policies.
 */
@Group("trustgate.io")
@Version("v1alpha1")
@ShortNames("tex")
@AdditionalPrinterColumn(name = "Expires", jsonPath = ".spec.expires", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
        name = "State",
        jsonPath = ".status.conditions[?(@.type==\"Ready\")].reason",
        type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Pods", jsonPath = ".status.pods", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(
        name = "Age",
        jsonPath = ".metadata.creationTimestamp",
        type = AdditionalPrinterColumn.Type.DATE)
public class TrustException extends CustomResource<TrustExceptionSpec, TrustExceptionStatus> implements Namespaced {}
