namespace Backprop.NN;

/// <summary>Adds a learned vector per position to a sequence (GPT's wpe): <see cref="Weight"/> [maxLen, d], initialised N(0, 0.02).</summary>
public sealed class LearnedPositionalEncoding : PositionalEncodingBase
{
    /// <summary>Makes the table.</summary>
    /// <param name="maxLen">The longest sequence it encodes.</param>
    /// <param name="dModel">The width d of the sequence's features.</param>
    /// <param name="batchFirst">Whether inputs are [B, T, d] rather than [T, B, d].</param>
    /// <param name="generator">The random source; null uses <see cref="Generator.Default"/>.</param>
    public LearnedPositionalEncoding(int maxLen, int dModel, bool batchFirst = false, Generator? generator = null)
        : base("LearnedPositionalEncoding", dModel, maxLen, batchFirst)
    {
        Weight = RegisterParameter("weight", new Parameter(Init.Normal(Tensor.Zeros(maxLen, dModel), 0f, 0.02f, generator)));
    }

    /// <summary>One learned vector per position, [maxLen, d].</summary>
    public Parameter Weight { get; }

    private protected override Tensor Table => Weight;

    /// <inheritdoc/>
    public override string ToString() => $"LearnedPositionalEncoding(max_len={MaxLen}, d_model={DModel})";
}
