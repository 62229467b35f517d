namespace Backprop.NN;

/// <summary>
/// One transformer encoder layer, as torch.nn.TransformerEncoderLayer: self-attention and a feed-forward
/// block, each with dropout and a residual connection, normalized after each (post-norm, the default) or
/// before (normFirst). State-dict keys are PyTorch's: self_attn.*, linear1, linear2, norm1, norm2.
/// </summary>
public sealed class TransformerEncoderLayer : Module<Tensor, Tensor>
{
    /// <summary>Makes the layer.</summary>
    /// <param name="dModel">The width.</param>
    /// <param name="nhead">The attention heads.</param>
    /// <param name="dimFeedforward">The feed-forward block's hidden width.</param>
    /// <param name="dropout">The dropout probability (attention weights, residual branches, feed-forward).</param>
    /// <param name="activation">"relu" or "gelu".</param>
    /// <param name="layerNormEps">The norms' eps.</param>
    /// <param name="batchFirst">Whether inputs are [B, T, E] rather than [T, B, E].</param>
    /// <param name="normFirst">Pre-norm (true) or post-norm (false).</param>
    /// <param name="bias">Whether the linear layers and norms have biases.</param>
    /// <param name="generator">The random source of initialisation and dropout.</param>
    public TransformerEncoderLayer(int dModel, int nhead, int dimFeedforward = 2048, float dropout = 0.1f, string activation = "relu", double layerNormEps = 1e-5, bool batchFirst = false, bool normFirst = false, bool bias = true, Generator? generator = null)
    {
        Activation = TransformerFeedForward.Check("TransformerEncoderLayer", activation);
        NormFirst = normFirst;
        SelfAttn = RegisterModule("self_attn", new MultiheadAttention(dModel, nhead, dropout, bias, batchFirst, generator));
        Linear1 = RegisterModule("linear1", new Linear(dModel, dimFeedforward, bias, generator));
        Dropout = RegisterModule("dropout", new Dropout(dropout, generator));
        Linear2 = RegisterModule("linear2", new Linear(dimFeedforward, dModel, bias, generator));
        Norm1 = RegisterModule("norm1", new LayerNorm(dModel, layerNormEps, bias: bias));
        Norm2 = RegisterModule("norm2", new LayerNorm(dModel, layerNormEps, bias: bias));
        Dropout1 = RegisterModule("dropout1", new Dropout(dropout, generator));
        Dropout2 = RegisterModule("dropout2", new Dropout(dropout, generator));
    }

    /// <summary>"relu" or "gelu".</summary>
    public string Activation { get; }

    /// <summary>Whether the norms come before each block.</summary>
    public bool NormFirst { get; }

    /// <summary>The self-attention.</summary>
    public MultiheadAttention SelfAttn { get; }

    /// <summary>The feed-forward block's first layer.</summary>
    public Linear Linear1 { get; }

    /// <summary>The dropout inside the feed-forward block.</summary>
    public Dropout Dropout { get; }

    /// <summary>The feed-forward block's second layer.</summary>
    public Linear Linear2 { get; }

    /// <summary>The norm of the attention block.</summary>
    public LayerNorm Norm1 { get; }

    /// <summary>The norm of the feed-forward block.</summary>
    public LayerNorm Norm2 { get; }

    /// <summary>The dropout on the attention branch.</summary>
    public Dropout Dropout1 { get; }

    /// <summary>The dropout on the feed-forward branch.</summary>
    public Dropout Dropout2 { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Forward(input, null, null, false);

    /// <summary>The layer with masks, as PyTorch's forward(src, src_mask, src_key_padding_mask, is_causal).</summary>
    /// <param name="src">The sequence.</param>
    /// <param name="srcMask">The attention mask ([T, T] or [B·heads, T, T]; true or −∞ masks out), or null.</param>
    /// <param name="srcKeyPaddingMask">[B, T], true where a position is padding, or null.</param>
    /// <param name="isCausal">Whether each position attends only to itself and earlier ones.</param>
    /// <returns>The encoded sequence.</returns>
    public Tensor Forward(Tensor src, Tensor? srcMask, Tensor? srcKeyPaddingMask, bool isCausal)
    {
        ArgumentNullException.ThrowIfNull(src);
        Tensor Attend(Tensor x) => Dropout1.Call(SelfAttn.Forward(x, x, x, srcKeyPaddingMask, needWeights: false, srcMask, isCausal: isCausal).Output);
        Tensor FeedForward(Tensor x) => Dropout2.Call(TransformerFeedForward.Apply(x, Linear1, Linear2, Dropout, Activation));
        if (NormFirst)
        {
            var h = src + Attend(Norm1.Call(src));
            return h + FeedForward(Norm2.Call(h));
        }

        var y = Norm1.Call(src + Attend(src));
        return Norm2.Call(y + FeedForward(y));
    }
}
