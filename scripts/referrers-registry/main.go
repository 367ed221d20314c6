// A registry that serves the OCI referrers API (distribution spec 1.1), for trustgate's tests only:
// go-containerregistry's registry (pkg/registry) with WithReferrersSupport(true), in memory, plain HTTP.
// scripts/build-referrers-registry.sh builds it; RegistryPeer (kind REFERRERS_API) starts it on loopback.
package main

import (
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"time"

	"github.com/google/go-containerregistry/pkg/registry"
)

func main() {
	addr := flag.String("address", "127.0.0.1:0", "address to listen on")
	flag.Parse()
	listener, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("serving on %s\n", listener.Addr())
	s := &http.Server{
		ReadHeaderTimeout: 5 * time.Second,
		Handler:           registry.New(registry.WithReferrersSupport(true)),
	}
	log.Fatal(s.Serve(listener))
}
