namespace Backprop.Kernels;

/// <summary>Element moves by precomputed flat positions, for storage of any dtype (gather, scatter, masked select).</summary>
internal static class Take
{
    /// <summary>dst[k] = src[positions[k]].</summary>
    public static void Gather(Array src, ReadOnlySpan<int> positions, Array dst)
    {
        switch (src)
        {
            case float[] f: Gather<float>(f, positions, (float[])dst); break;
            case double[] d: Gather<double>(d, positions, (double[])dst); break;
            case long[] l: Gather<long>(l, positions, (long[])dst); break;
            default: Gather<bool>((bool[])src, positions, (bool[])dst); break;
        }
    }

    /// <summary>dst[k] = src[positions[k]] where the position is not negative; the other elements keep their value (a padding fill).</summary>
    public static void GatherSome(Array src, ReadOnlySpan<int> positions, Array dst)
    {
        switch (src)
        {
            case float[] f: GatherSome<float>(f, positions, (float[])dst); break;
            case double[] d: GatherSome<double>(d, positions, (double[])dst); break;
            case long[] l: GatherSome<long>(l, positions, (long[])dst); break;
            default: GatherSome<bool>((bool[])src, positions, (bool[])dst); break;
        }
    }

    /// <summary>dst[positions[k]] = src[k]; a later k wins where positions repeat.</summary>
    public static void Scatter(Array src, ReadOnlySpan<int> positions, Array dst)
    {
        switch (src)
        {
            case float[] f: Scatter<float>(f, positions, (float[])dst); break;
            case double[] d: Scatter<double>(d, positions, (double[])dst); break;
            case long[] l: Scatter<long>(l, positions, (long[])dst); break;
            default: Scatter<bool>((bool[])src, positions, (bool[])dst); break;
        }
    }

    /// <summary>dst[positions[k]] += src[k], summing where positions repeat; a negative position (a padded element) is skipped.</summary>
    public static void ScatterAdd(ReadOnlySpan<float> src, ReadOnlySpan<int> positions, Span<float> dst)
    {
        for (var k = 0; k < positions.Length; k++)
        {
            if (positions[k] >= 0)
            {
                dst[positions[k]] += src[k];
            }
        }
    }

    /// <summary>dst[k] += src[positions[k]]; a negative position (a padded element) adds nothing.</summary>
    public static void GatherAdd(ReadOnlySpan<float> src, ReadOnlySpan<int> positions, Span<float> dst)
    {
        for (var k = 0; k < positions.Length; k++)
        {
            if (positions[k] >= 0)
            {
                dst[k] += src[positions[k]];
            }
        }
    }

    private static void Gather<T>(ReadOnlySpan<T> src, ReadOnlySpan<int> positions, Span<T> dst)
    {
        for (var k = 0; k < positions.Length; k++)
        {
            dst[k] = src[positions[k]];
        }
    }

    private static void GatherSome<T>(ReadOnlySpan<T> src, ReadOnlySpan<int> positions, Span<T> dst)
    {
        for (var k = 0; k < positions.Length; k++)
        {
            if (positions[k] >= 0)
            {
                dst[k] = src[positions[k]];
            }
        }
    }

    private static void Scatter<T>(ReadOnlySpan<T> src, ReadOnlySpan<int> positions, Span<T> dst)
    {
        for (var k = 0; k < positions.Length; k++)
        {
            dst[positions[k]] = src[k];
        }
    }
}
