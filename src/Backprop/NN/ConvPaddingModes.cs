namespace Backprop.NN;

/// <summary>What the convolution layers share: padding amounts for the non-zero padding modes, and PyTorch's printout of the optional arguments.</summary>
internal static class ConvPaddingModes
{
    /// <summary>(before, after) along one dimension: the explicit amount on both sides, or "same"'s split (the extra one after).</summary>
    public static (int Before, int After) Amounts(bool same, int explicitAmount, int kernel, int dilation)
    {
        if (!same)
        {
            return (explicitAmount, explicitAmount);
        }

        var total = dilation * (kernel - 1);
        return (total / 2, total - (total / 2));
    }

    /// <summary>", padding=(1, 1), dilation=(2, 2), groups=2, bias=False, padding_mode=reflect" for the arguments that differ from the defaults (a null text: the default), in PyTorch's order.</summary>
    public static string Describe(string? padding, string? dilation, int groups, bool bias, PadMode mode, string? outputPadding = null)
    {
        var text = padding is null ? string.Empty : $", padding={padding}";
        if (outputPadding is not null)
        {
            text += $", output_padding={outputPadding}";
        }

        if (dilation is not null)
        {
            text += $", dilation={dilation}";
        }

        if (groups != 1)
        {
            text += $", groups={groups}";
        }

        if (!bias)
        {
            text += ", bias=False";
        }

        return mode == PadMode.Constant ? text : text + $", padding_mode={mode.ToString().ToLowerInvariant()}";
    }
}
