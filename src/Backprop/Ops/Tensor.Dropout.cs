using System.Numerics.Tensors;
using Backprop.Kernels;
using Backprop.Kernels.Elementwise;

namespace Backprop;

public partial class Tensor
{
    /// <summary>
    /// Dropout, as PyTorch's functional dropout: in training, each element is zeroed with probability
    /// <paramref name="p"/> and the rest are scaled by 1/(1−p); otherwise the input is returned. One pass
    /// draws the mask and applies it; the backward multiplies by the same mask.
    /// </summary>
    /// <param name="input">The input.</param>
    /// <param name="p">The probability of zeroing, in [0, 1).</param>
    /// <param name="training">Whether to drop (false returns the input).</param>
    /// <param name="generator">The random source; null uses <see cref="Generator.Default"/>.</param>
    /// <returns>The input with elements dropped.</returns>
    public static Tensor Dropout(Tensor input, float p, bool training = true, Generator? generator = null) =>
        DropoutCore("Dropout", input, p, training, input.Dims, generator);

    /// <summary>
    /// Channel dropout, as PyTorch's dropout2d: in training, each channel of [N, C, H, W] (or [C, H, W]) is
    /// zeroed whole with probability <paramref name="p"/> and the rest are scaled by 1/(1−p).
    /// </summary>
    /// <param name="input">The input, [N, C, H, W] or [C, H, W].</param>
    /// <param name="p">The probability of zeroing a channel, in [0, 1).</param>
    /// <param name="training">Whether to drop (false returns the input).</param>
    /// <param name="generator">The random source; null uses <see cref="Generator.Default"/>.</param>
    /// <returns>The input with channels dropped.</returns>
    public static Tensor Dropout2d(Tensor input, float p, bool training = true, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        int[] maskShape = input.Rank switch
        {
            4 => [input.Dims[0], input.Dims[1], 1, 1],
            3 => [input.Dims[0], 1, 1],
            _ => throw new ArgumentException($"Dropout2d: input {Shapes.Format(input.Dims)} must be [N, C, H, W] or [C, H, W].", nameof(input)),
        };
        return DropoutCore("Dropout2d", input, p, training, maskShape, generator);
    }

    private static Tensor DropoutCore(string op, Tensor input, float p, bool training, int[] maskShape, Generator? generator)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (!(p >= 0f && p < 1f))
        {
            throw new ArgumentOutOfRangeException(nameof(p), p, $"{op}: p must be in [0, 1).");
        }

        if (!training || p == 0f)
        {
            return input;
        }

        RequireFloating(op, input);
        var key = (generator ?? Generator.Default).NextUInt64();
        var scale = 1f / (1f - p);
        var mask = NewOutput(maskShape);
        var m = mask.Data;
        if (input._dtype == DType.Float64)
        {
            // The same draws as float32, kept as exactly 1/(1 − p) in double.
            CounterUniform.Fill(key, 0, m);
            var mask64 = NewOutput<double>(maskShape);
            var m64 = mask64.Storage<double>();
            var scale64 = 1.0 / (1.0 - p);
            for (var i = 0; i < m.Length; i++)
            {
                m64[i] = m[i] >= p ? scale64 : 0.0;
            }

            return input * mask64;
        }

        if (m.Length != input.Numel)
        {
            DrawMask((key, p, scale, m, null, null), 0, m.Length);
            return input * mask;
        }

        var result = NewOutput(input.Dims);
        WorkSplitter.For(m.Length, WorkSplitter.ElementwiseMinimum, (key, p, scale, m, (float[]?)input.Data, (float[]?)result.Data), DrawMask);
        if (NeedsGrad(input))
        {
            result.Record(op, [input], mask, static (mask, result, x, g) =>
            {
                var d = result.GiveUpGrad(g) ? g : RentGradArray(g.Length);
                WorkSplitter.For(d.Length, WorkSplitter.ElementwiseMinimum, (g, m: mask.Data, d), static (s, start, length) => TensorPrimitives.Multiply(s.g.AsSpan(start, length), s.m.AsSpan(start, length), s.d.AsSpan(start, length)));
                x[0].DepositGrad(d, x[0].Dims, owned: true);
            }, graph: static (mask, o, g, x) => [g * mask]);
        }

        return result;
    }

    /// <summary>
    /// Draws mask[start..start + length) (the scale where the stream's draw is at least p, zero elsewhere) and, with an
    /// input, its product with the mask there, a block at a time so that the three passes stay in L1. The draws are
    /// counter-based (<see cref="CounterUniform"/>), so the mask does not depend on how the elements were split.
    /// </summary>
    private static void DrawMask((ulong Key, float P, float Scale, float[] Mask, float[]? Input, float[]? Output) s, int start, int length)
    {
        const int Block = 4096;
        for (var b = start; b < start + length; b += Block)
        {
            var count = Math.Min(Block, start + length - b);
            var mask = s.Mask.AsSpan(b, count);
            CounterUniform.Fill(s.Key, b, mask);
            Elementwise.Map(mask, mask, new DropoutMaskOperator(s.P, s.Scale));
            if (s is { Input: not null, Output: not null })
            {
                TensorPrimitives.Multiply(s.Input.AsSpan(b, count), mask, s.Output.AsSpan(b, count));
            }
        }
    }
}
