namespace Backprop.Kernels;

/// <summary>
/// Reuses the float arrays that backward propagation allocates and frees every step (gradients of
/// intermediate tensors, temporaries of backward closures), so that steady-state training churns the
/// GC less. Per thread, keyed by exact length (a tensor's storage is exactly its element count).
/// Only arrays that nothing else references may be returned.
/// </summary>
internal static class BufferPool
{
    private const int MinimumLength = 256;
    private const int MaxPerLength = 8;

    [ThreadStatic]
    private static Dictionary<int, Stack<float[]>>? t_free;

    /// <summary>An array of exactly <paramref name="length"/> elements with undefined contents.</summary>
    public static float[] Rent(int length)
    {
        if (length >= MinimumLength && t_free is not null && t_free.TryGetValue(length, out var stack) && stack.TryPop(out var array))
        {
            return array;
        }

        return GC.AllocateUninitializedArray<float>(length);
    }

    /// <summary>An array of exactly <paramref name="length"/> zeros.</summary>
    public static float[] RentZeroed(int length)
    {
        var array = Rent(length);
        array.AsSpan().Clear();
        return array;
    }

    /// <summary>Gives back an array that nothing references any more.</summary>
    public static void Return(float[] array)
    {
        if (array.Length < MinimumLength)
        {
            return;
        }

        t_free ??= [];
        if (!t_free.TryGetValue(array.Length, out var stack))
        {
            t_free[array.Length] = stack = new Stack<float[]>();
        }

        if (stack.Count < MaxPerLength)
        {
            stack.Push(array);
        }
    }
}
