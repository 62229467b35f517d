namespace Backprop.Kernels;

/// <summary>
/// Reuses the arrays of element type <typeparamref name="T"/> (float today; the other dtypes' storage
/// when tensors gain them) that training allocates and frees every step: gradients of intermediate
/// tensors and temporaries of backward closures (returned by the backward engine), and op outputs
/// (returned when their <see cref="TensorScope"/> is disposed), so that steady-state training does not
/// churn the GC. Per thread, keyed by exact length (a tensor's storage is exactly its element count), and
/// holding at most <see cref="MaxBytes"/> per thread: as many arrays of one length as a step frees (a
/// transformer's step frees dozens of activations of one shape at once), while shapes that come and go
/// cannot grow it without bound. Every length is pooled, down to the one element of a loss and its gradient (and a
/// bias gradient's per-channel sums). Only arrays that nothing else references may be returned.
/// </summary>
internal static class BufferPool<T>
    where T : unmanaged
{
    /// <summary>The most bytes of arrays a thread's pool holds; an array returned past it is left to the GC.</summary>
    private const long MaxBytes = 256L << 20;

    [ThreadStatic]
    private static Dictionary<int, Stack<T[]>>? t_free;

    /// <summary>The bytes of the arrays in this thread's pool.</summary>
    [ThreadStatic]
    private static long t_bytes;

    /// <summary>An array of exactly <paramref name="length"/> elements with undefined contents.</summary>
    public static T[] Rent(int length)
    {
        if (length > 0 && t_free is not null && t_free.TryGetValue(length, out var stack) && stack.TryPop(out var array))
        {
            t_bytes -= Bytes(length);
            return array;
        }

        return GC.AllocateUninitializedArray<T>(length);
    }

    /// <summary>An array of exactly <paramref name="length"/> zeros.</summary>
    public static T[] RentZeroed(int length)
    {
        var array = Rent(length);
        array.AsSpan().Clear();
        return array;
    }

    /// <summary>Gives back an array that nothing references any more.</summary>
    public static void Return(T[] array)
    {
        if (array.Length == 0)
        {
            return;
        }

        t_free ??= [];
        if (!t_free.TryGetValue(array.Length, out var stack))
        {
            t_free[array.Length] = stack = new Stack<T[]>();
        }

        var bytes = Bytes(array.Length);
        if (t_bytes + bytes <= MaxBytes)
        {
            stack.Push(array);
            t_bytes += bytes;
        }
    }

    private static unsafe long Bytes(int length) => (long)length * sizeof(T);
}
