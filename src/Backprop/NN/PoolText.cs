namespace Backprop.NN;

/// <summary>How PyTorch prints the pooling layers' arguments: a number when both sizes agree, else the pair; True/False.</summary>
internal static class PoolText
{
    /// <summary>"2" for (2, 2), "(2, 1)" otherwise.</summary>
    public static string Of(Size2 size) => size.H == size.W ? size.H.ToString(System.Globalization.CultureInfo.InvariantCulture) : size.ToString();

    /// <summary>"True" or "False".</summary>
    public static string Of(bool value) => value ? "True" : "False";
}
