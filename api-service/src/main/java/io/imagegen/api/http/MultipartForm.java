package io.imagegen.api.http;

import io.imagegen.api.tasks.FormFields;
import io.imagegen.common.errors.ErrorCode;
import io.imagegen.common.errors.InvalidRequestException;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.multipart.Attribute;
import io.netty.handler.codec.http.multipart.DefaultHttpDataFactory;
import io.netty.handler.codec.http.multipart.FileUpload;
import io.netty.handler.codec.http.multipart.HttpPostMultipartRequestDecoder;
import io.netty.handler.codec.http.multipart.InterfaceHttpData;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.Promise;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a {@code multipart/form-data} body in memory, bounded by the body limit, with Netty's decoder. Not Vert.x's
 * form handling: OpenAI's SDKs may send a file part without a filename (the Java SDK does for bytes and streams),
 * which Vert.x would turn into a text attribute and lose binary bytes; here a part named like a file field is a file
 * whatever its disposition. Nothing touches the disk, so a refused or cut-off request leaves no file behind.
 */
final class MultipartForm {
  /** A body over the limit (413), naming the part being read when the limit was reached. */
  static final class TooLarge extends RuntimeException {
    final String param;

    TooLarge(String message, String param) {
      super(message, null, false, false);
      this.param = param;
    }
  }

  /** The form's text parts (each name with its values) and file parts, in the order they came. */
  record Form(Map<String, List<String>> attributes, List<FormFields.Upload> files) {
  }

  private MultipartForm() {
  }

  /** Reads the request body; fails with {@link TooLarge} or {@link InvalidRequestException}. */
  static Future<Form> read(RoutingContext ctx, long limit, Set<String> fileFields) {
    HttpServerRequest request = ctx.request();
    DefaultHttpRequest head = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, request.uri());
    request.headers().forEach(header -> head.headers().add(header.getKey(), header.getValue()));
    HttpPostMultipartRequestDecoder decoder;
    try {
      decoder = new HttpPostMultipartRequestDecoder(new DefaultHttpDataFactory(false), head, StandardCharsets.UTF_8);
    } catch (RuntimeException e) {
      return Future.failedFuture(new InvalidRequestException(ErrorCode.INVALID_MULTIPART,
          "The multipart/form-data body has no usable boundary.", null));
    }
    Promise<Form> promise = Promise.promise();
    // The body is gathered, then decoded in one piece: fed chunk by chunk, the decoder kept a text part's trailing
    // CR when a chunk ended between the CR and LF before the next boundary ("demo\r" for "demo").
    Buffer body = Buffer.buffer();
    request.handler(chunk -> {
      if (promise.future().isComplete()) {
        return;
      }
      if (body.length() + chunk.length() > limit) {
        promise.tryFail(tooLarge(decoder, body, limit));
        return;
      }
      body.appendBuffer(chunk);
    });
    request.exceptionHandler(err -> {
      decoder.destroy();
      promise.tryFail(err);
    });
    request.endHandler(ignored -> {
      if (promise.future().isComplete()) {
        return;
      }
      try {
        decoder.offer(new DefaultHttpContent(Unpooled.wrappedBuffer(body.getBytes())));
        decoder.offer(LastHttpContent.EMPTY_LAST_CONTENT);
        promise.tryComplete(form(decoder.getBodyHttpDatas(), fileFields));
      } catch (RuntimeException | IOException e) {
        promise.tryFail(refusal(e));
      } finally {
        decoder.destroy();
      }
    });
    request.resume();
    return promise.future();
  }

  /** The refusal of a body over {@code limit}, naming the part that was being read when it went over. */
  private static TooLarge tooLarge(HttpPostMultipartRequestDecoder decoder, Buffer body, long limit) {
    String part = "image";
    try {
      decoder.offer(new DefaultHttpContent(Unpooled.wrappedBuffer(body.getBytes())));
      InterfaceHttpData current = decoder.currentPartialHttpData();
      part = current == null ? part : current.getName();
    } catch (RuntimeException e) {
      // The part cannot be named from a body cut short; the refusal stands without it.
    } finally {
      decoder.destroy();
    }
    return new TooLarge("Request body is larger than " + limit + " bytes (while reading part '" + part
        + "'); the uploaded files count towards it", part);
  }

  private static Form form(List<InterfaceHttpData> parts, Set<String> fileFields) throws IOException {
    Map<String, List<String>> attributes = new LinkedHashMap<>();
    List<FormFields.Upload> files = new ArrayList<>();
    for (InterfaceHttpData part : parts) {
      if (part instanceof FileUpload file) {
        files.add(new FormFields.Upload(file.getName(), file.get()));
      } else if (part instanceof Attribute attribute) {
        if (fileFields.contains(attribute.getName())) {
          files.add(new FormFields.Upload(attribute.getName(), attribute.get()));
        } else {
          attributes.computeIfAbsent(attribute.getName(), name -> new ArrayList<>()).add(attribute.getValue());
        }
      }
    }
    return new Form(attributes, files);
  }

  private static Throwable refusal(Exception e) {
    if (e instanceof TooLarge || e instanceof InvalidRequestException) {
      return e;
    }
    return new InvalidRequestException(ErrorCode.INVALID_MULTIPART, "The multipart/form-data body could not be read: "
        + e.getMessage(), null);
  }
}
