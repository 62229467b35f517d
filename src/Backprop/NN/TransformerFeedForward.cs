namespace Backprop.NN;

/// <summary>The activation between the two linear layers of a transformer layer's feed-forward block.</summary>
internal static class TransformerFeedForward
{
    /// <summary>Checks an activation name: "relu" or "gelu", as PyTorch's transformer layers take them.</summary>
    public static string Check(string layer, string activation) => activation is "relu" or "gelu"
        ? activation
        : throw new ArgumentException($"{layer}: activation '{activation}' is not one of relu, gelu.", nameof(activation));

    /// <summary>linear2(dropout(activation(linear1(x)))).</summary>
    public static Tensor Apply(Tensor x, Linear linear1, Linear linear2, Dropout dropout, string activation)
    {
        var hidden = linear1.Call(x);
        return linear2.Call(dropout.Call(activation == "gelu" ? hidden.Gelu() : hidden.Relu()));
    }
}
