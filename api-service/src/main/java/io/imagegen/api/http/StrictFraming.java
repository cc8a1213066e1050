package io.imagegen.api.http;

import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpMessage;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.impl.VertxHttpRequestDecoder;
import io.vertx.core.net.impl.ConnectionBase;

/**
 * The HTTP/1 request decoder, except that a request with both {@code Content-Length} and
 * {@code Transfer-Encoding: chunked} is refused instead of served: Netty drops the {@code Content-Length} and reads
 * chunks, while a proxy in front may have framed the same bytes by length, which is how requests are smuggled
 * (docs/operations.md, Security). The decoding failure makes Vert.x answer 400 and close the connection.
 */
final class StrictFraming extends VertxHttpRequestDecoder {
  /** The name Vert.x gives its HTTP/1 request decoder in the channel pipeline. */
  private static final String DECODER = "httpDecoder";

  private StrictFraming(HttpServerOptions options) {
    super(options);
  }

  /**
   * Swaps the decoder of a new HTTP/1 connection. Vert.x offers no public hook for this, so it reaches into the
   * connection's Netty pipeline; ApiEdgeLimitsTest fails if a Vert.x upgrade moves the decoder.
   */
  static void install(HttpConnection connection, HttpServerOptions options) {
    if (connection instanceof ConnectionBase base) {
      ChannelPipeline pipeline = base.channel().pipeline();
      if (pipeline.get(DECODER) instanceof VertxHttpRequestDecoder decoder && !(decoder instanceof StrictFraming)) {
        pipeline.replace(DECODER, DECODER, new StrictFraming(options));
      }
    }
  }

  @Override
  protected void handleTransferEncodingChunkedWithContentLength(HttpMessage message) {
    // Caught by the decoder, which turns it into a failed request (RFC 9112 section 6.1 allows rejecting).
    throw new IllegalArgumentException("both Content-Length and Transfer-Encoding: chunked are present");
  }
}
