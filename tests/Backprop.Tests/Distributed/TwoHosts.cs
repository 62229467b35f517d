using System.Diagnostics;
using System.Globalization;

namespace Backprop.Tests.Distributed;

/// <summary>
/// Two network namespaces joined by a veth pair (MTU 65000), which MPI sees as two hosts with a network between
/// them: `ip netns add`, `ip link add … type veth`, one address each. Needs root (CAP_SYS_ADMIN) and MPICH's
/// Hydra, whose manual launcher prints the proxy command of each host for the test to start in its namespace.
/// </summary>
internal sealed class TwoHosts : IDisposable
{
    /// <summary>The device name of the link in both namespaces.</summary>
    public const string Device = "bp0";

    private static readonly Lazy<string?> s_missing = new(Probe);

    private readonly string[] _names;

    public TwoHosts()
    {
        var tag = $"{Environment.ProcessId % 100_000}";
        _names = [$"bp{tag}a", $"bp{tag}b"];
        var subnet = 16 + (Environment.ProcessId % 200);
        Addresses = [$"10.79.{subnet}.1", $"10.79.{subnet}.2"];
        Dispose();
        Ip("netns", "add", _names[0]);
        Ip("netns", "add", _names[1]);
        Ip("link", "add", _names[0], "type", "veth", "peer", "name", _names[1]);
        for (var h = 0; h < 2; h++)
        {
            Ip("link", "set", _names[h], "netns", _names[h]);
            In(h, "ip", "link", "set", _names[h], "name", Device);
            In(h, "ip", "addr", "add", $"{Addresses[h]}/24", "dev", Device);
            In(h, "ip", "link", "set", Device, "mtu", "65000", "up");
            In(h, "ip", "link", "set", "lo", "up");
        }
    }

    /// <summary>Why two hosts cannot be made here, or null when they can.</summary>
    public static string? Missing => Mpiexec.Missing ?? s_missing.Value;

    /// <summary>Each host's address on the link.</summary>
    public string[] Addresses { get; }

    /// <summary>The bytes host <paramref name="h"/> has sent on the link.</summary>
    public long SentBytes(int h) => long.Parse(In(h, "cat", $"/sys/class/net/{Device}/statistics/tx_bytes").Trim(), CultureInfo.InvariantCulture);

    /// <summary>
    /// Runs mpiexec in the first namespace with one rank per host, starts each host's proxy in its namespace, and
    /// returns mpiexec's exit code and output.
    /// </summary>
    public (int Code, string Output) Run(IEnumerable<string> rank, TimeSpan timeout)
    {
        List<string> arguments = ["netns", "exec", _names[0], "mpiexec", "-launcher", "manual", "-hosts", string.Join(',', Addresses), "-n", "2", "-ppn", "1", .. rank];
        using var mpiexec = new Mpiexec.Started(Process.Start(Info("ip", arguments))!);
        mpiexec.WaitFor("HYDRA_LAUNCH_END", TimeSpan.FromSeconds(30));
        var proxies = mpiexec.Output.Split('\n').Where(l => l.StartsWith("HYDRA_LAUNCH: ", StringComparison.Ordinal))
            .Select(l => l["HYDRA_LAUNCH: ".Length..].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToList();
        Assert.Equal(2, proxies.Count);
        var started = proxies.Select((proxy, h) => new Mpiexec.Started(Process.Start(Info("ip", ["netns", "exec", _names[h], .. proxy]))!)).ToList();
        try
        {
            return mpiexec.Finish(timeout);
        }
        finally
        {
            started.ForEach(p => p.Dispose());
        }
    }

    /// <summary>Deletes the namespaces (and with them the link).</summary>
    public void Dispose()
    {
        foreach (var name in _names)
        {
            using var delete = Process.Start(Info("ip", ["netns", "delete", name]))!;
            delete.WaitForExit();
        }
    }

    private static string? Probe()
    {
        if (!OperatingSystem.IsLinux())
        {
            return "network namespaces are Linux's";
        }

        var name = $"bpprobe{Environment.ProcessId}";
        var (code, output) = Capture("ip", ["netns", "add", name]);
        if (code != 0)
        {
            return $"this machine does not allow network namespaces ('ip netns add' says: {output.Trim()}); run as root with CAP_SYS_ADMIN";
        }

        _ = Capture("ip", ["netns", "delete", name]);
        var (_, version) = Capture("mpiexec", ["--version"]);
        return version.Contains("HYDRA", StringComparison.Ordinal) ? null : "the two-host test drives MPICH's Hydra launcher; the mpiexec on PATH is another";
    }

    private static void Ip(params string[] arguments)
    {
        var (code, output) = Capture("ip", arguments);
        Assert.True(code == 0, $"ip {string.Join(' ', arguments)}: {output}");
    }

    private string In(int host, params string[] command)
    {
        var (code, output) = Capture("ip", ["netns", "exec", _names[host], .. command]);
        Assert.True(code == 0, $"{string.Join(' ', command)} in {_names[host]}: {output}");
        return output;
    }

    private static (int Code, string Output) Capture(string file, IEnumerable<string> arguments)
    {
        try
        {
            using var process = new Mpiexec.Started(Process.Start(Info(file, arguments))!);
            return process.Finish(TimeSpan.FromSeconds(30));
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return (-1, e.Message);
        }
    }

    private static ProcessStartInfo Info(string file, IEnumerable<string> arguments)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in arguments)
        {
            info.ArgumentList.Add(a);
        }

        return info;
    }
}
