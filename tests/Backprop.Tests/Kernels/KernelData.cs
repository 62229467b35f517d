namespace Backprop.Tests.Kernels;

/// <summary>Seeded input data for the kernel tests.</summary>
internal static class KernelData
{
    /// <summary><paramref name="n"/> values uniform in [−scale, scale), from <paramref name="seed"/>.</summary>
    public static float[] Uniform(int n, ulong seed, float scale = 1f)
    {
        var g = new Generator(seed);
        var a = new float[n];
        for (var i = 0; i < n; i++)
        {
            a[i] = ((g.NextFloat() * 2f) - 1f) * scale;
        }

        return a;
    }
}
