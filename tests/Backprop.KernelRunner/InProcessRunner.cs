using System.Reflection;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace Backprop.KernelRunner;

/// <summary>Discovers and runs an assembly's xunit tests in this process, through xunit's own framework classes.</summary>
internal static class InProcessRunner
{
    /// <summary>Runs the tests; writes each failure (name, message, stack) to <paramref name="log"/>.</summary>
    public static (int Passed, int Failed, int Skipped) Run(Assembly assembly, TextWriter log)
    {
        var diagnostics = new Sink(_ => { });
        using var framework = new XunitTestFramework(diagnostics);
        var cases = new List<ITestCase>();
        using (var discovered = new Sink(m =>
        {
            if (m is ITestCaseDiscoveryMessage found)
            {
                cases.Add(found.TestCase);
            }
        }))
        {
            using var discoverer = framework.GetDiscoverer(Reflector.Wrap(assembly));
            discoverer.Find(includeSourceInformation: false, discovered, new Options());
            discovered.WaitFor<IDiscoveryCompleteMessage>();
        }

        int passed = 0, failed = 0, skipped = 0;
        using var executed = new Sink(m =>
        {
            switch (m)
            {
                case ITestPassed:
                    passed++;
                    break;
                case ITestFailed failure:
                    failed++;
                    log.WriteLine($"FAIL {failure.Test.DisplayName}: {string.Join(" | ", failure.Messages)}\n{string.Join("\n", failure.StackTraces)}");
                    break;
                case ITestSkipped:
                    skipped++;
                    break;
            }
        });
        using var executor = framework.GetExecutor(assembly.GetName());
        executor.RunTests(cases, executed, new Options());
        executed.WaitFor<ITestAssemblyFinished>();
        return (passed, failed, skipped);
    }

    /// <summary>Passes each message to a handler and signals when the awaited kind arrives.</summary>
    private sealed class Sink(Action<IMessageSinkMessage> handle) : LongLivedMarshalByRefObject, IMessageSink, IDisposable
    {
        private readonly ManualResetEventSlim _done = new();
        private Type? _awaited;

        public bool OnMessage(IMessageSinkMessage message)
        {
            lock (_done)
            {
                handle(message);
            }

            if (_awaited is not null && _awaited.IsInstanceOfType(message))
            {
                _done.Set();
            }

            return true;
        }

        public void WaitFor<T>()
        {
            _awaited = typeof(T);
            _done.Wait();
        }

        public void Dispose() => _done.Dispose();
    }

    /// <summary>Discovery and execution options: xunit's defaults for every setting.</summary>
    private sealed class Options : ITestFrameworkDiscoveryOptions, ITestFrameworkExecutionOptions
    {
        private readonly Dictionary<string, object?> _values = [];

        public TValue GetValue<TValue>(string name) => _values.TryGetValue(name, out var value) && value is TValue typed ? typed : default!;

        public void SetValue<TValue>(string name, TValue value) => _values[name] = value;
    }
}
