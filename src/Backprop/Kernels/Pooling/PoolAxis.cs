using System.Collections.Concurrent;

namespace Backprop.Kernels.Pooling;

/// <summary>
/// The pooling windows along one axis: for each output position, the first input position inside the
/// image, how many taps (spaced by the dilation) fall inside, and the divisor an average uses. An axis
/// never changes once made, so each configuration is made once and shared: a pooling layer's step
/// allocates no windows.
/// </summary>
internal sealed class PoolAxis
{
    /// <summary>Configurations kept at most; past this the cache starts again (a program that pools at ever new sizes).</summary>
    private const int CacheLimit = 1024;

    private static readonly ConcurrentDictionary<(int Input, int Kernel, int Stride, int Padding, int Dilation, bool CeilMode, bool CountIncludePad), PoolAxis> SlidingCache = new();
    private static readonly ConcurrentDictionary<(int Input, int Output), PoolAxis> AdaptiveCache = new();

    private PoolAxis(int input, int output, int dilation)
    {
        Input = input;
        Output = output;
        Dilation = dilation;
        First = new int[output];
        Count = new int[output];
        Divisor = new int[output];
    }

    /// <summary>The input length.</summary>
    public int Input { get; }

    /// <summary>The output length.</summary>
    public int Output { get; }

    /// <summary>The spacing between taps.</summary>
    public int Dilation { get; }

    /// <summary>The first tap inside the input, per output position.</summary>
    public int[] First { get; }

    /// <summary>The taps inside the input, per output position.</summary>
    public int[] Count { get; }

    /// <summary>The taps an average divides by, per output position (padding included when asked).</summary>
    public int[] Divisor { get; }

    /// <summary>Whether the windows are the common 2-wide, stride-2 ones that tile the input exactly from 0 (output o reads 2o and 2o + 1).</summary>
    public bool IsPairs { get; private set; }

    /// <summary>
    /// Windows of <paramref name="kernel"/> taps every <paramref name="stride"/> positions over an input
    /// padded by <paramref name="padding"/> on each side, with PyTorch's output length (ceil mode drops a
    /// last window that would start in the right padding).
    /// </summary>
    public static PoolAxis Sliding(string op, int input, int kernel, int stride, int padding, int dilation, bool ceilMode, bool countIncludePad)
    {
        var span = (dilation * (kernel - 1)) + 1;
        if (kernel <= 0 || stride <= 0 || dilation <= 0 || padding < 0 || padding > kernel / 2)
        {
            throw new ArgumentException($"{op}: kernel {kernel}, stride {stride}, dilation {dilation} must be positive and padding {padding} at most half the kernel.");
        }

        var room = input + (2 * padding) - span;
        if (room < 0)
        {
            throw new ArgumentException($"{op}: the padded input ({input + (2 * padding)}) is smaller than the window ({span}).");
        }

        var key = (input, kernel, stride, padding, dilation, ceilMode, countIncludePad);
        if (SlidingCache.TryGetValue(key, out var cached))
        {
            return cached;
        }

        var output = (ceilMode ? (room + stride - 1) / stride : room / stride) + 1;
        if (ceilMode && (output - 1) * stride >= input + padding)
        {
            output--;
        }

        var axis = new PoolAxis(input, output, dilation);
        for (var o = 0; o < output; o++)
        {
            var start = (o * stride) - padding;
            var skip = start >= 0 ? 0 : (-start + dilation - 1) / dilation;
            var end = Math.Min(kernel, ((input - 1 - start) / dilation) + 1);
            axis.First[o] = start + (skip * dilation);
            axis.Count[o] = Math.Max(0, end - skip);
            axis.Divisor[o] = countIncludePad ? Math.Min(start + kernel, input + padding) - start : axis.Count[o];
        }

        axis.IsPairs = kernel == 2 && stride == 2 && padding == 0 && dilation == 1 && axis.Count.All(c => c == 2);
        return Keep(SlidingCache, key, axis);
    }

    /// <summary>PyTorch's adaptive windows: output position o covers [⌊o·in/out⌋, ⌈(o+1)·in/out⌉).</summary>
    public static PoolAxis Adaptive(string op, int input, int output)
    {
        if (output <= 0 || input <= 0)
        {
            throw new ArgumentException($"{op}: the input ({input}) and output ({output}) sizes must be positive.");
        }

        if (AdaptiveCache.TryGetValue((input, output), out var cached))
        {
            return cached;
        }

        var axis = new PoolAxis(input, output, 1);
        for (var o = 0; o < output; o++)
        {
            var start = (int)((long)o * input / output);
            var end = (int)((((long)(o + 1) * input) + output - 1) / output);
            axis.First[o] = start;
            axis.Count[o] = end - start;
            axis.Divisor[o] = end - start;
        }

        return Keep(AdaptiveCache, (input, output), axis);
    }

    /// <summary>Adds a newly made axis to its cache (emptied first when full) and returns the one the cache holds.</summary>
    private static PoolAxis Keep<TKey>(ConcurrentDictionary<TKey, PoolAxis> cache, TKey key, PoolAxis axis)
        where TKey : notnull
    {
        if (cache.Count >= CacheLimit)
        {
            cache.Clear();
        }

        return cache.GetOrAdd(key, axis);
    }
}
