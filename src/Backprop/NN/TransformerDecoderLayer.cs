namespace Backprop.NN;

/// <summary>
/// One transformer decoder layer, as torch.nn.TransformerDecoderLayer: self-attention over the target,
/// attention from the target to the encoder's memory, and a feed-forward block, each with dropout and a
/// residual connection, normalized after each (post-norm) or before (normFirst). Keys are PyTorch's:
/// self_attn.*, multihead_attn.*, linear1, linear2, norm1, norm2, norm3.
/// </summary>
public sealed class TransformerDecoderLayer : Module<Tensor, Tensor, Tensor>
{
    /// <summary>Makes the layer.</summary>
    /// <param name="dModel">The width.</param>
    /// <param name="nhead">The attention heads.</param>
    /// <param name="dimFeedforward">The feed-forward block's hidden width.</param>
    /// <param name="dropout">The dropout probability.</param>
    /// <param name="activation">"relu" or "gelu".</param>
    /// <param name="layerNormEps">The norms' eps.</param>
    /// <param name="batchFirst">Whether inputs are [B, T, E] rather than [T, B, E].</param>
    /// <param name="normFirst">Pre-norm (true) or post-norm (false).</param>
    /// <param name="bias">Whether the linear layers and norms have biases.</param>
    /// <param name="generator">The random source of initialisation and dropout.</param>
    public TransformerDecoderLayer(int dModel, int nhead, int dimFeedforward = 2048, float dropout = 0.1f, string activation = "relu", double layerNormEps = 1e-5, bool batchFirst = false, bool normFirst = false, bool bias = true, Generator? generator = null)
    {
        Activation = TransformerFeedForward.Check("TransformerDecoderLayer", activation);
        NormFirst = normFirst;
        SelfAttn = RegisterModule("self_attn", new MultiheadAttention(dModel, nhead, dropout, bias, batchFirst, generator));
        MultiheadAttn = RegisterModule("multihead_attn", new MultiheadAttention(dModel, nhead, dropout, bias, batchFirst, generator));
        Linear1 = RegisterModule("linear1", new Linear(dModel, dimFeedforward, bias, generator));
        Dropout = RegisterModule("dropout", new Dropout(dropout, generator));
        Linear2 = RegisterModule("linear2", new Linear(dimFeedforward, dModel, bias, generator));
        Norm1 = RegisterModule("norm1", new LayerNorm(dModel, layerNormEps, bias: bias));
        Norm2 = RegisterModule("norm2", new LayerNorm(dModel, layerNormEps, bias: bias));
        Norm3 = RegisterModule("norm3", new LayerNorm(dModel, layerNormEps, bias: bias));
        Dropout1 = RegisterModule("dropout1", new Dropout(dropout, generator));
        Dropout2 = RegisterModule("dropout2", new Dropout(dropout, generator));
        Dropout3 = RegisterModule("dropout3", new Dropout(dropout, generator));
    }

    /// <summary>"relu" or "gelu".</summary>
    public string Activation { get; }

    /// <summary>Whether the norms come before each block.</summary>
    public bool NormFirst { get; }

    /// <summary>The self-attention over the target.</summary>
    public MultiheadAttention SelfAttn { get; }

    /// <summary>The attention from the target to the memory.</summary>
    public MultiheadAttention MultiheadAttn { get; }

    /// <summary>The feed-forward block's first layer.</summary>
    public Linear Linear1 { get; }

    /// <summary>The dropout inside the feed-forward block.</summary>
    public Dropout Dropout { get; }

    /// <summary>The feed-forward block's second layer.</summary>
    public Linear Linear2 { get; }

    /// <summary>The norm of the self-attention block.</summary>
    public LayerNorm Norm1 { get; }

    /// <summary>The norm of the memory-attention block.</summary>
    public LayerNorm Norm2 { get; }

    /// <summary>The norm of the feed-forward block.</summary>
    public LayerNorm Norm3 { get; }

    /// <summary>The dropout on the self-attention branch.</summary>
    public Dropout Dropout1 { get; }

    /// <summary>The dropout on the memory-attention branch.</summary>
    public Dropout Dropout2 { get; }

    /// <summary>The dropout on the feed-forward branch.</summary>
    public Dropout Dropout3 { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input1, Tensor input2) => Forward(input1, input2, null, null, null, null, false);

    /// <summary>The layer with masks, as PyTorch's forward(tgt, memory, tgt_mask, memory_mask, tgt_key_padding_mask, memory_key_padding_mask, tgt_is_causal).</summary>
    /// <param name="tgt">The target sequence.</param>
    /// <param name="memory">The encoder's output.</param>
    /// <param name="tgtMask">The target's attention mask, or null.</param>
    /// <param name="memoryMask">The mask of target-to-memory attention, or null.</param>
    /// <param name="tgtKeyPaddingMask">[B, Tt], true at target padding, or null.</param>
    /// <param name="memoryKeyPaddingMask">[B, Tm], true at memory padding, or null.</param>
    /// <param name="tgtIsCausal">Whether each target position attends only to itself and earlier ones.</param>
    /// <returns>The decoded sequence.</returns>
    public Tensor Forward(Tensor tgt, Tensor memory, Tensor? tgtMask, Tensor? memoryMask, Tensor? tgtKeyPaddingMask, Tensor? memoryKeyPaddingMask, bool tgtIsCausal)
    {
        ArgumentNullException.ThrowIfNull(tgt);
        ArgumentNullException.ThrowIfNull(memory);
        Tensor SelfBlock(Tensor x) => Dropout1.Call(SelfAttn.Forward(x, x, x, tgtKeyPaddingMask, needWeights: false, tgtMask, isCausal: tgtIsCausal).Output);
        Tensor MemoryBlock(Tensor x) => Dropout2.Call(MultiheadAttn.Forward(x, memory, memory, memoryKeyPaddingMask, needWeights: false, memoryMask).Output);
        Tensor FeedForward(Tensor x) => Dropout3.Call(TransformerFeedForward.Apply(x, Linear1, Linear2, Dropout, Activation));
        if (NormFirst)
        {
            var h = tgt + SelfBlock(Norm1.Call(tgt));
            h += MemoryBlock(Norm2.Call(h));
            return h + FeedForward(Norm3.Call(h));
        }

        var y = Norm1.Call(tgt + SelfBlock(tgt));
        y = Norm2.Call(y + MemoryBlock(y));
        return Norm3.Call(y + FeedForward(y));
    }
}
