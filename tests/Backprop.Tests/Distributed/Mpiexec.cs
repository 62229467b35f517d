using System.Diagnostics;
using System.Text;

namespace Backprop.Tests.Distributed;

/// <summary>Starts `backprop` under the mpiexec on PATH (MPICH's Hydra or Open MPI's), as CI's MPICH does.</summary>
internal static class Mpiexec
{
    private static readonly Lazy<string?> s_path = new(() => Environment.GetEnvironmentVariable("PATH")?.Split(Path.PathSeparator)
        .Select(dir => Path.Combine(dir, "mpiexec")).FirstOrDefault(File.Exists));

    private static readonly Lazy<bool> s_openMpi = new(() => s_path.Value is { } path && Run(path, ["--version"], TimeSpan.FromSeconds(20)).Output.Contains("Open MPI", StringComparison.Ordinal));

    /// <summary>Why the MPI tests cannot run here, or null when they can.</summary>
    public static string? Missing => s_path.Value is null ? "no mpiexec on PATH: install MPICH ('apt-get install mpich'), as .ci/run does" : null;

    /// <summary>The environment that makes MPICH (or Open MPI) talk over TCP on the loopback device instead of shared memory.</summary>
    public static Dictionary<string, string> TcpLoopback => s_openMpi.Value
        ? new() { ["OMPI_MCA_btl"] = "tcp,self", ["OMPI_MCA_btl_tcp_if_include"] = "lo", ["OMPI_MCA_pml"] = "ob1" }
        : new() { ["MPIR_CVAR_NOLOCAL"] = "1", ["UCX_TLS"] = "tcp", ["UCX_NET_DEVICES"] = "lo" };

    /// <summary>The mpiexec arguments for <paramref name="ranks"/> ranks of `backprop` with <paramref name="args"/>.</summary>
    public static List<string> Arguments(int ranks, IEnumerable<string> args) => [.. Flags(), "-n", ranks.ToString(System.Globalization.CultureInfo.InvariantCulture), .. Cli(args)];

    /// <summary>One rank of an MPMD command line (ranks joined by ":").</summary>
    public static List<string> Cli(IEnumerable<string> args) => [Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet", Path.Combine(AppContext.BaseDirectory, "Backprop.Cli.dll"), .. args];

    /// <summary>Open MPI refuses root and more ranks than cores unless told.</summary>
    public static IEnumerable<string> Flags() => s_openMpi.Value ? ["--allow-run-as-root", "--oversubscribe"] : [];

    /// <summary>Starts mpiexec with <paramref name="arguments"/>; the output is collected as it comes.</summary>
    public static Started Start(IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(s_path.Value ?? throw new InvalidOperationException(Missing))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in arguments)
        {
            info.ArgumentList.Add(a);
        }

        // The children print as a non-interactive console of fixed width, and inherit no test-run MPI settings.
        info.Environment["COLUMNS"] = "200";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        return new Started(Process.Start(info)!);
    }

    /// <summary>Runs mpiexec to the end (or kills it past <paramref name="timeout"/>) and returns its exit code and output.</summary>
    public static (int Code, string Output) Run(IEnumerable<string> arguments, TimeSpan timeout, IReadOnlyDictionary<string, string>? environment = null)
    {
        using var started = Start(arguments, environment);
        return started.Finish(timeout);
    }

    private static (int Code, string Output) Run(string path, string[] arguments, TimeSpan timeout)
    {
        var info = new ProcessStartInfo(path) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in arguments)
        {
            info.ArgumentList.Add(a);
        }

        using var started = new Started(Process.Start(info)!);
        return started.Finish(timeout);
    }

    /// <summary>A running mpiexec and what it printed so far.</summary>
    internal sealed class Started : IDisposable
    {
        private readonly StringBuilder _output = new();

        public Started(Process process)
        {
            Process = process;
            process.OutputDataReceived += (_, e) => Append(e.Data);
            process.ErrorDataReceived += (_, e) => Append(e.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
        }

        public Process Process { get; }

        public string Output
        {
            get
            {
                lock (_output)
                {
                    return _output.ToString();
                }
            }
        }

        /// <summary>Waits for the end; past <paramref name="timeout"/> kills the whole tree and fails.</summary>
        public (int Code, string Output) Finish(TimeSpan timeout)
        {
            if (!Process.WaitForExit(timeout))
            {
                Process.Kill(entireProcessTree: true);
                Process.WaitForExit();
                Assert.Fail($"mpiexec did not end within {timeout.TotalSeconds} s:\n{Output}");
            }

            Process.WaitForExit();
            return (Process.ExitCode, Output);
        }

        /// <summary>Waits until the output contains <paramref name="text"/>, or fails past <paramref name="timeout"/>.</summary>
        public void WaitFor(string text, TimeSpan timeout)
        {
            var watch = Stopwatch.StartNew();
            while (!Output.Contains(text, StringComparison.Ordinal))
            {
                if (watch.Elapsed > timeout || Process.HasExited)
                {
                    Assert.Fail($"'{text}' did not appear within {timeout.TotalSeconds} s:\n{Output}");
                }

                Thread.Sleep(20);
            }
        }

        public void Dispose()
        {
            if (!Process.HasExited)
            {
                Process.Kill(entireProcessTree: true);
                Process.WaitForExit();
            }

            Process.Dispose();
        }

        private void Append(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }
}
