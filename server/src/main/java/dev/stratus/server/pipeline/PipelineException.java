package dev.stratus.server.pipeline;

/**
 * Why a pipeline could not take or finish a request, one subclass per cause so that each reaches
 * the client with its own status and {@code error} code: full ({@link PipelineFullException}),
 * shutting down ({@link PipelineClosedException}), or a message broker that refused or could not
 * be reached ({@link BrokerException}).
 */
public abstract sealed class PipelineException extends RuntimeException
        permits PipelineFullException, PipelineClosedException, BrokerException {

    protected PipelineException(String message) {
        super(message, null, false, false);
    }
}
