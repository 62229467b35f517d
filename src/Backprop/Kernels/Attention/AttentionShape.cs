namespace Backprop.Kernels.Attention;

/// <summary>
/// The sizes and layouts of one attention call: <see cref="Batch"/> × <see cref="Heads"/> pairs, each
/// attending <see cref="QuerySteps"/> query rows to <see cref="KeySteps"/> keys of <see cref="HeadDim"/>
/// elements. With <see cref="Causal"/>, query i sees key j only when j ≤ i + <see cref="CausalOffset"/>
/// (0 is PyTorch's is_causal; Tk − Tq lines the last query up with the last key, as a KV cache needs).
/// An additive bias, when given, is read at b·BiasBatchStride + h·BiasHeadStride + i·Tk + j (a stride of 0
/// broadcasts).
/// </summary>
internal sealed record AttentionShape(
    int Batch,
    int Heads,
    int QuerySteps,
    int KeySteps,
    int HeadDim,
    HeadLayout Queries,
    HeadLayout Keys,
    HeadLayout Values,
    HeadLayout Output,
    float Scale,
    bool Causal,
    int CausalOffset = 0,
    int BiasBatchStride = 0,
    int BiasHeadStride = 0)
{
    /// <summary>Batch × heads.</summary>
    public int Pairs => Batch * Heads;

    /// <summary>How many keys (from the first) query <paramref name="i"/> may see.</summary>
    public int KeyLimit(int i) => Causal ? Math.Clamp(i + CausalOffset + 1, 0, KeySteps) : KeySteps;

    /// <summary>The first query that may see key <paramref name="j"/>.</summary>
    public int FirstQuery(int j) => Causal ? Math.Max(0, j - CausalOffset) : 0;
}
