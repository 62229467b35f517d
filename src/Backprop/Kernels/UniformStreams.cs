using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Backprop.Kernels;

/// <summary>
/// Uniform floats in [0, 1) from eight xoshiro256** streams stepped side by side, for masks over large tensors
/// (dropout), where one stream's chain of dependent steps is the bottleneck. Each step of a stream gives two
/// floats, from its output's bits 8–31 and 40–63; a step of all eight gives 16 floats, stream j's at 2j and
/// 2j + 1. Vector256 steps four streams at once; elsewhere (Vector128 only, or none) they are stepped one after
/// another, whose independent chains the CPU still overlaps. The values are the same on every path (24-bit
/// integers scaled by 2⁻²⁴ convert exactly).
/// </summary>
internal static class UniformStreams
{
    /// <summary>Streams stepped side by side.</summary>
    public const int Streams = 8;

    /// <summary>Floats that one step of all the streams gives.</summary>
    private const int Block = 2 * Streams;

    private const float Unit = 1f / (1 << 24);

    /// <summary>The two 24-bit fields of each output that become floats.</summary>
    private const ulong Fields = 0x00FF_FFFF_00FF_FFFFUL;

    /// <summary>
    /// Fills <paramref name="destination"/> from the streams whose states are <paramref name="state"/> (4 words
    /// of each stream, word-major: word w of stream j at [w·8 + j]), advancing them.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Fill(Span<float> destination, Span<ulong> state)
    {
        if (state.Length != 4 * Streams)
        {
            throw new ArgumentException($"UniformStreams.Fill: the state holds 4 words of {Streams} streams ({4 * Streams}); got {state.Length}.", nameof(state));
        }

        var full = destination.Length / Block * Block;
        if (Vector256.IsHardwareAccelerated)
        {
            Fill256(destination[..full], state);
        }
        else
        {
            FillOne(destination[..full], state);
        }

        if (full < destination.Length)
        {
            Span<float> last = stackalloc float[Block];
            FillOne(last, state);
            last[..(destination.Length - full)].CopyTo(destination[full..]);
        }
    }

    /// <summary>Whole blocks, streams 0–3 and 4–7 in two sets of Vector256 registers.</summary>
    private static void Fill256(Span<float> destination, Span<ulong> state)
    {
        Vector256<ulong> a0 = Load256(state, 0, 0), a1 = Load256(state, 1, 0), a2 = Load256(state, 2, 0), a3 = Load256(state, 3, 0);
        Vector256<ulong> b0 = Load256(state, 0, 4), b1 = Load256(state, 1, 4), b2 = Load256(state, 2, 4), b3 = Load256(state, 3, 4);
        for (var i = 0; i < destination.Length; i += Block)
        {
            Floats(Xoshiro256.Step(ref a0, ref a1, ref a2, ref a3)).CopyTo(destination.Slice(i, 8));
            Floats(Xoshiro256.Step(ref b0, ref b1, ref b2, ref b3)).CopyTo(destination.Slice(i + 8, 8));
        }

        Store256(state, 0, [a0, a1, a2, a3]);
        Store256(state, 4, [b0, b1, b2, b3]);
    }

    /// <summary>Whole blocks (or one into a scratch block), a stream at a time.</summary>
    private static void FillOne(Span<float> destination, Span<ulong> state)
    {
        for (var i = 0; i < destination.Length; i += Block)
        {
            for (var j = 0; j < Streams; j++)
            {
                var result = Xoshiro256.Step(ref state[j], ref state[Streams + j], ref state[(2 * Streams) + j], ref state[(3 * Streams) + j]);
                var fields = (result >> 8) & Fields;
                destination[i + (2 * j)] = (uint)fields * Unit;
                destination[i + (2 * j) + 1] = (uint)(fields >> 32) * Unit;
            }
        }
    }

    /// <summary>The eight floats of four outputs: each output's bits 8–31, then 40–63, scaled by 2⁻²⁴.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Floats(Vector256<ulong> result) =>
        Vector256.ConvertToSingle(((result >>> 8) & Vector256.Create(Fields)).AsInt32()) * Unit;

    private static Vector256<ulong> Load256(Span<ulong> state, int word, int stream) => Vector256.Create<ulong>(state.Slice((word * Streams) + stream, 4));

    private static void Store256(Span<ulong> state, int stream, ReadOnlySpan<Vector256<ulong>> words)
    {
        for (var w = 0; w < words.Length; w++)
        {
            words[w].CopyTo(state.Slice((w * Streams) + stream, 4));
        }
    }
}
