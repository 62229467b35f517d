namespace Backprop.NN;

/// <summary>
/// Adds the fixed sinusoidal position encoding of "Attention Is All You Need" to a sequence:
/// pe[t, 2i] = sin(t / 10000^(2i/d)), pe[t, 2i+1] = cos(t / 10000^(2i/d)), kept as a non-persistent
/// buffer "pe" [maxLen, d] (a function of the shape, so not in the state dict).
/// </summary>
public sealed class SinusoidalPositionalEncoding : PositionalEncodingBase
{
    /// <summary>Makes the table.</summary>
    /// <param name="dModel">The width d of the sequence's features.</param>
    /// <param name="maxLen">The longest sequence it encodes.</param>
    /// <param name="batchFirst">Whether inputs are [B, T, d] rather than [T, B, d].</param>
    public SinusoidalPositionalEncoding(int dModel, int maxLen = 5000, bool batchFirst = false)
        : base("SinusoidalPositionalEncoding", dModel, maxLen, batchFirst)
    {
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

    /// <summary>The encodings, [maxLen, d].</summary>
    public Tensor Pe { get; }

    private protected override Tensor Table => Pe;

    /// <inheritdoc/>
    public override string ToString() => $"SinusoidalPositionalEncoding(d_model={DModel}, max_len={MaxLen})";
}
