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
        var random = generator ?? Generator.Default;
        var scale = 1f / (1f - p);
        var mask = NewOutput(maskShape);
        var m = mask.Data;
        random.NextFloats(m);
        if (input._dtype == DType.Float64)
        {
            // The same draws as float32, kept as exactly 1/(1 − p) in double.
            var mask64 = NewOutput<double>(maskShape);
            var m64 = mask64.Storage<double>();
            var scale64 = 1.0 / (1.0 - p);
            for (var i = 0; i < m.Length; i++)
            {
                m64[i] = m[i] >= p ? scale64 : 0.0;
            }

            return input * mask64;
        }

        Elementwise.Map(m, m, new DropoutMaskOperator(p, scale));

        if (m.Length == input.Numel)
        {
            var result = NewOutput(input.Dims);
            TensorPrimitives.Multiply(input.Data, m, result.Data);
            if (NeedsGrad(input))
            {
                result.Record(op, [input], g =>
                {
                    var d = RentGradArray(g.Length);
                    TensorPrimitives.Multiply(g, m, d);
                    input.DepositGrad(d, input.Dims, owned: true);
                }, graph: (o, g, x) => [g * mask]);
            }

            return result;
        }

        return input * mask;
    }
}
