# trustgate: `make help` lists the targets.
SHELL := /bin/bash
MVN := ./mvnw -B
JAR := target/quarkus-app/quarkus-run.jar
IMAGE_TAR := target/trustgate-image.tar
# How trustgate's JVM runs for make run: the chart's javaToolOptions (Chart/values.yaml, the one place the flags
# are kept; scripts/jvm-options.sh reads them), so a developer runs what a cluster runs. make bench reads the
# chart itself (io.trustgate.bench.JvmConfig) and measures the JVM's default flags beside it.
TRUSTGATE_JAVA_OPTS ?= $(shell scripts/jvm-options.sh)
export TRUSTGATE_JAVA_OPTS

.PHONY: help build cli run test deps e2e bench fuzz image manifests certs lint format clean

help: ## List the targets
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

build: ## Compile, generate the CRDs and package the webhook and the CLI (no tests)
	$(MVN) -q package -DskipTests

cli: ## Build the command line, target/trustgate-cli.jar (alias trustgate='java -jar target/trustgate-cli.jar')
	$(MVN) -q package -DskipTests
	java -jar target/trustgate-cli.jar --version
	@echo "built target/trustgate-cli.jar: java -jar target/trustgate-cli.jar --help"

# make run packages aot-jar and runs on JDK 25 with a trained AOT cache when that JDK is there (scripts/run.sh), as
# the image does; else fast-jar on the JDK on the PATH.
TRUSTGATE_JDK25 ?= /usr/lib/jvm/temurin-25-jdk-amd64
export TRUSTGATE_JDK25
RUN_PACKAGING := $(if $(wildcard $(TRUSTGATE_JDK25)/bin/java),-Dquarkus.package.jar.type=aot-jar,)

run: ## Run the webhook on https://localhost:8443 with policies/ and a development certificate
	$(MVN) -q package -DskipTests $(RUN_PACKAGING)
	scripts/dev-cert.sh dev-certs
	TRUSTGATE_TLS_CERT=dev-certs/tls.crt TRUSTGATE_TLS_KEY=dev-certs/tls.key \
	TRUSTGATE_POLICIES_DIR=$${TRUSTGATE_POLICIES_DIR:-policies} scripts/run.sh

deps: ## Install the real peers the tests start (docker-registry, notary, skopeo, gpg, etcd; kube-apiserver built once)
	scripts/install-test-deps.sh

test: deps $(IMAGE_TAR) ## Run every test (unit, conformance, integration against real peers, the node suite as root)
	$(MVN) verify

bench: ## Benchmark trustgate against real peers on loopback; writes docs/benchmarks.md (several minutes)
	scripts/install-bench-deps.sh
	$(MVN) -q package -DskipTests $(RUN_PACKAGING)
	$(MVN) -q org.apache.maven.plugins:maven-dependency-plugin:3.7.0:build-classpath \
	  -Dmdep.includeScope=test -Dmdep.outputFile=target/bench-classpath.txt
	java -Djava.util.logging.manager=org.jboss.logmanager.LogManager \
	  -cp target/test-classes:target/classes:$$(cat target/bench-classpath.txt) io.trustgate.bench.Bench

fuzz: ## Fuzz every parser of hostile input with Jazzer, FUZZ_SECONDS each (default 60); new coverage joins the corpus make test replays
	FUZZ_SECONDS=$${FUZZ_SECONDS:-60} scripts/fuzz.sh

e2e: deps $(IMAGE_TAR) ## Only the install tests: chart (helm-java), a real API server, a real node (as root) running trustgate's image, k3s (skipped without Docker)
	$(MVN) verify -Dtest='ChartTest' -Dit.test='*IT' -Dsurefire.failIfNoSpecifiedTests=false

image: ## Build the container image with Jib into target/trustgate-image.tar (no Docker needed)
	scripts/build-image.sh

# The image NodeE2EIT installs, rebuilt when the code, the build or the base changed.
$(IMAGE_TAR): pom.xml $(shell find src/main scripts/build-image.sh scripts/build-base-image.sh scripts/image-aot-cache.sh \
  scripts/train-aot-cache.sh -type f 2>/dev/null)
	scripts/build-image.sh

manifests: ## Regenerate k8s/crds and Chart/crds from the Java model, k8s/trustgate.yaml from the chart, docs/configuration.md's settings
	$(MVN) -q process-classes
	for n in trustpolicies clustertrustpolicies trustexceptions; do \
	  cp target/classes/META-INF/fabric8/$$n.trustgate.io-v1.yml k8s/crds/$$n.trustgate.io.yaml; \
	  cp k8s/crds/$$n.trustgate.io.yaml Chart/crds/; done
	$(MVN) -q test -Dtest='ChartTest#k8sManifestsMatchTheChart,ConfigurationDocTest' -Dtrustgate.write-manifests=true \
	  -Dtrustgate.write-docs=true -Dsurefire.failIfNoSpecifiedTests=false

certs: ## Fill k8s/trustgate.yaml with a fresh CA and serving certificate (before kubectl apply -f k8s/)
	scripts/k8s-certs.sh

lint: ## Check the code format (Spotless), compile with Error Prone, helm lint the chart, check schema and manifests' drift
	$(MVN) -q spotless:check
	$(MVN) -q test -Dtest='ChartTest,CrdDriftTest' -Dsurefire.failIfNoSpecifiedTests=false

format: ## Apply the code format (palantir-java-format through Spotless) to src/
	$(MVN) -q spotless:apply

clean: ## Remove build output and development certificates
	$(MVN) -q clean
	rm -rf dev-certs
