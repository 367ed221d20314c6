package io.trustgate.cli;

/** How a command prints its result. */
enum Output {
    text,
    json
}
