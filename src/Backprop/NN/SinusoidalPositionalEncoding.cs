using Backprop.Kernels;

namespace Backprop.NN;

/// <summary>
/// Adds the fixed sinusoidal position encoding of "Attention Is All You Need" to a sequence:
/// pe[t, 2i] = sin(t / 10000^(2i/d)), pe[t, 2i+1] = cos(t / 10000^(2i/d)), kept as a non-persistent
/// buffer "pe" [maxLen, d] (a function of the shape, so not in the state dict).
/// </summary>
public sealed class SinusoidalPositionalEncoding : Module<Tensor, Tensor>
{
    /// <summary>Makes the table.</summary>
    /// <param name="dModel">The width d of the sequence's features.</param>
    /// <param name="maxLen">The longest sequence it encodes.</param>
    /// <param name="batchFirst">Whether inputs are [B, T, d] rather than [T, B, d].</param>
    public SinusoidalPositionalEncoding(int dModel, int maxLen = 5000, bool batchFirst = false)
    {
        if (dModel <= 0 || maxLen <= 0)
        {
            throw new ArgumentException($"SinusoidalPositionalEncoding: dModel ({dModel}) and maxLen ({maxLen}) must be positive.", nameof(dModel));
        }

        (DModel, MaxLen, BatchFirst) = (dModel, maxLen, batchFirst);
        var table = new float[maxLen * dModel];
        for (var t = 0; t < maxLen; t++)
        {
            for (var i = 0; i < dModel; i++)
            {
                var angle = t / Math.Pow(10000, 2 * (i / 2) / (double)dModel);
                table[(t * dModel) + i] = (float)(i % 2 == 0 ? Math.Sin(angle) : Math.Cos(angle));
            }
        }

        Pe = RegisterBuffer("pe", Tensor.FromArray(table, maxLen, dModel), persistent: false)!;
    }

    /// <summary>The width d.</summary>
    public int DModel { get; }

    /// <summary>The longest sequence it encodes.</summary>
    public int MaxLen { get; }

    /// <summary>Whether inputs are [B, T, d].</summary>
    public bool BatchFirst { get; }

    /// <summary>The encodings, [maxLen, d].</summary>
    public Tensor Pe { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var steps = input.Rank == 3 ? input.Size(BatchFirst ? 1 : 0) : -1;
        if (input.Rank != 3 || input.Size(2) != DModel || steps > MaxLen)
        {
            throw new ArgumentException($"SinusoidalPositionalEncoding: input {Shapes.Format(input.Dims)} must be {(BatchFirst ? "[B, T, " : "[T, B, ")}{DModel}] with T at most {MaxLen}.", nameof(input));
        }

        var encoding = Pe.Narrow(0, 0, steps);
        return input + (BatchFirst ? encoding : encoding.Unsqueeze(1));
    }

    /// <inheritdoc/>
    public override string ToString() => $"SinusoidalPositionalEncoding(d_model={DModel}, max_len={MaxLen})";
}
