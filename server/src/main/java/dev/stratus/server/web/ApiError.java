package dev.stratus.server.web;

/** The JSON body of every error answer: a short machine-readable code and a sentence for people. */
public record ApiError(String error, String detail) {
}
