using System.Globalization;

namespace Backprop.Kernels;

/// <summary>
/// The GEMM's cache blocking, chosen at start-up from this CPU's L2 size (read from
/// /sys/devices/system/cpu on Linux; 1 MiB where it cannot be read). A block of K is as deep as lets
/// the packed NR-column panels of B stream from L2 (KC = L2 / 1 KiB, from 256 to 1024): every block
/// is one more pass that reads and writes all of C, so deep blocks pay; MC rows of A (KC deep) fill half of L2.
/// Measured on a Zen 4 (L2 1 MiB) at n = 2048: KC 256 gave 186 GFLOP/s on 2 threads, 512 gave 207, 1024 gave 210.
/// </summary>
internal static class GemmBlocking
{
    /// <summary>The L2 size assumed where the system does not tell.</summary>
    private const int DefaultL2Bytes = 1 << 20;

    /// <summary>The L2 cache of one core, in bytes.</summary>
    public static readonly int L2Bytes = ReadL2Bytes() ?? DefaultL2Bytes;

    /// <summary>The deepest block of K.</summary>
    public static readonly int KC = Math.Clamp(L2Bytes / 1024, 256, 1024);

    /// <summary>Rows of A per L2 block, a multiple of <see cref="Gemm.MR"/>.</summary>
    public static readonly int MC = Math.Max(Gemm.MR, L2Bytes / 2 / (KC * sizeof(float)) / Gemm.MR * Gemm.MR);

    /// <summary>The depth of every block of K for an inner dimension <paramref name="k"/>: K split into equal blocks of at most KC, so that no pass is left with a sliver.</summary>
    public static int BlockDepth(int k)
    {
        var blocks = Math.Max(1, (k + KC - 1) / KC);
        return (k + blocks - 1) / blocks;
    }

    /// <summary>The unified level-2 cache of cpu0 from Linux's sysfs, or null.</summary>
    private static int? ReadL2Bytes()
    {
        const string Root = "/sys/devices/system/cpu/cpu0/cache";
        try
        {
            if (!Directory.Exists(Root))
            {
                return null;
            }

            foreach (var index in Directory.EnumerateDirectories(Root, "index*"))
            {
                if (File.ReadAllText(Path.Combine(index, "level")).Trim() == "2")
                {
                    return ParseSize(File.ReadAllText(Path.Combine(index, "size")));
                }
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        return null;
    }

    /// <summary>Parses sysfs's "1024K" or "2M" (or plain bytes); null when it is not a size.</summary>
    internal static int? ParseSize(string text)
    {
        text = text.Trim();
        var scale = text.EndsWith('K') ? 1 << 10 : text.EndsWith('M') ? 1 << 20 : 1;
        var digits = scale == 1 ? text : text[..^1];
        return int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0 && value <= int.MaxValue / scale ? value * scale : null;
    }
}
